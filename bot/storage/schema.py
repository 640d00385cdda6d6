"""Imports every model module so Base.metadata is complete (Alembic and tests read it here)."""

from __future__ import annotations

from bot.storage import models, models_jobs, models_slack, models_tickets  # noqa: F401
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata", "models"]
