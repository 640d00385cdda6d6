"""The last risk score per project, so an alert goes out only when it rises."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base


class RiskState(Base):
    """A project's last risk score; `crossings` counts alerts sent (one per crossing)."""

    __tablename__ = "risk_states"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    score: Mapped[int] = mapped_column(Integer)
    above: Mapped[bool]
    crossings: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
