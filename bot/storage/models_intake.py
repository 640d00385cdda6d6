"""Inbound platform events, recorded before they are acknowledged and processed from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id

UNFINISHED = text("state IN ('pending', 'processing')")


class InboundEvent(Base):
    """One Slack event or Telegram update. `key` (the platform's own id) is unique, so a
    redelivery is recognised; `chat_key` keeps one chat's events in order. The body is
    dropped once the event is processed; the row stays a while for deduplication."""

    __tablename__ = "inbound_events"
    # Partial indexes over the unfinished events only: a claim walks them in id order and
    # probes a chat's earlier ones, however many processed events the table still holds.
    __table_args__ = (
        Index(
            "ix_inbound_events_unfinished",
            "id",
            postgresql_where=UNFINISHED,
            sqlite_where=UNFINISHED,
        ),
        Index(
            "ix_inbound_events_chat_unfinished",
            "chat_key",
            "id",
            postgresql_where=UNFINISHED,
            sqlite_where=UNFINISHED,
        ),
        Index("ix_inbound_events_finished_at", "finished_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any] | None]
    state: Mapped[str] = mapped_column(String(16))  # pending | processing | done | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    available_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    received_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
