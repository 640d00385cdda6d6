"""Telegram adapter state: button payloads too long for Telegram's 64-byte callback_data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base


class TelegramCallback(Base):
    """`token` (a hash of the payload, sent as callback_data) → the Reply button's payload."""

    __tablename__ = "telegram_callbacks"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
