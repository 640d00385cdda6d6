"""Risk watching: a periodic score per project, and a staff alert when it crosses the line."""

from __future__ import annotations

from datetime import timedelta

from bot.core.feature import Feature, JobSpec
from bot.core.scheduler import Job
from bot.features.risk.service import RISK_JOB, RiskService


def risk_feature(risk: RiskService, every: timedelta) -> Feature:
    async def check(_job: Job) -> None:
        await risk.check()

    return Feature(name="risk", jobs=(JobSpec(RISK_JOB, check, every=every),))
