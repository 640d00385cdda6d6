"""Survey tables: CSAT and NPS questions sent (or skipped), their answers, and staff follow-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class Survey(Base):
    """One question to one contact: a CSAT on a resolved ticket, or an NPS round of a project.

    `key` (csat:ticket:12, nps:project:3:round:2:contact:5) makes sending idempotent. A survey
    that sampling or the cooldown skipped is kept with state "skipped" and its reason.
    """

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # csat | nps
    state: Mapped[str] = mapped_column(String(16), index=True)  # sent | answered | skipped
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    asked_at: Mapped[datetime | None]  # when the question may first be shown (quiet hours)
    reminded_at: Mapped[datetime | None]
    score: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)


class SurveyFollowUp(Base):
    """A staff task opened by a low score (CSAT <= 2, NPS <= 6): someone reaches out."""

    __tablename__ = "survey_followups"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), unique=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # open | done
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
