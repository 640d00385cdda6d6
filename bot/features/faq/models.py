"""What became of a question the bot could not answer (a knowledge gap)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base


class GapMark(Base):
    """A gap question taken up: `drafted` into draft `draft_id`, `closed` once that draft is
    approved and indexed, or `dismissed` by staff. Questions without a mark are open."""

    __tablename__ = "kb_gap_marks"
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16))
    draft_id: Mapped[str | None] = mapped_column(String(100), index=True)
    at: Mapped[datetime]
