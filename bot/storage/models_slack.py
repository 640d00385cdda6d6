"""Slack adapter state: one staff-channel thread per ticket or conversation key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base


class SlackThread(Base):
    """`key` (e.g. "ticket:ACME-4") → the ts of the staff-channel message that starts its thread."""

    __tablename__ = "slack_threads"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
