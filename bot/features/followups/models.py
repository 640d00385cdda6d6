"""Per-project follow-up policy overrides (defaults come from settings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class FollowUpPolicy(Base):
    """Check-in days after delivery/acceptance and warranty-notice days before its end."""

    __tablename__ = "followup_policies"
    project_id: Mapped[int] = mapped_column(
        Id, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    checkin_days: Mapped[dict[str, Any]]  # {"days": [7, 30, 90]}
    warranty_notice_days: Mapped[dict[str, Any]]  # {"days": [30, 7]}
    updated_at: Mapped[datetime]
