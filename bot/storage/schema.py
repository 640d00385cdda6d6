"""Imports every model module so Base.metadata is complete (Alembic and tests read it here)."""

from __future__ import annotations

from bot.storage import (  # noqa: F401
    models,
    models_followups,
    models_handoff,
    models_handover,
    models_intake,
    models_invites,
    models_jobs,
    models_kb,
    models_slack,
    models_surveys,
    models_telegram,
    models_tickets,
    models_training,
)
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata", "models"]
