"""Imports every model module so Base.metadata is complete (Alembic and tests read it here)."""

from __future__ import annotations

from bot.features.accounts import models as accounts_models  # noqa: F401
from bot.features.announcements import models as announcements_models  # noqa: F401
from bot.features.escalation import models as escalation_models  # noqa: F401
from bot.features.faq import models as faq_models  # noqa: F401
from bot.features.followups import models as followups_models  # noqa: F401
from bot.features.handover import models as handover_models  # noqa: F401
from bot.features.invites import models as invites_models  # noqa: F401
from bot.features.risk import models as risk_models  # noqa: F401
from bot.features.suggestions import models as suggestions_models  # noqa: F401
from bot.features.surveys import models as surveys_models  # noqa: F401
from bot.features.tickets import models as tickets_models  # noqa: F401
from bot.features.training import models as training_models  # noqa: F401
from bot.features.webhooks import models as webhooks_models  # noqa: F401
from bot.storage import (  # noqa: F401
    models,
    models_intake,
    models_jobs,
    models_kb,
    models_slack,
    models_telegram,
)
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata", "models"]
