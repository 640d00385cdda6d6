"""Escalation state per conversation, its transition log, and the staff replies relayed to clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class Escalation(Base):
    """Who is answering a conversation: the bot, nobody yet (waiting), a person, or closed.

    `low_streak` counts the FAQ's "I don't know" answers in a row (two escalate).
    """

    __tablename__ = "handoffs"
    # The inbox: conversations waiting for or with a person, oldest change first.
    __table_args__ = (Index("ix_handoffs_state_updated", "state", "updated_at"),)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(200))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    taken_by: Mapped[str | None] = mapped_column(String(200))
    low_streak: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class EscalationEvent(Base):
    """One state transition (or reminder) with when and who: the audit trail of a handoff."""

    __tablename__ = "handoff_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)


class EscalationRelay(Base):
    """A staff reply relayed to the client; `key` (the platform's message id) makes it once-only."""

    __tablename__ = "handoff_relays"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200), unique=True)
    staff: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    question: Mapped[str | None] = mapped_column(Text)
    draft_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
