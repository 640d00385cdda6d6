"""Staff accounts add one periodic job: ended console sessions and old failed sign-ins are
forgotten."""

from __future__ import annotations

from datetime import timedelta

from bot.core.feature import Feature, JobSpec
from bot.core.scheduler import Job
from bot.features.accounts.sessions import StaffSessions

PURGE_JOB = "staff_sessions_purge"


def accounts_feature(sessions: StaffSessions) -> Feature:
    async def purge(_job: Job) -> None:
        await sessions.purge()

    return Feature(name="accounts", jobs=(JobSpec(PURGE_JOB, purge, every=timedelta(hours=1)),))
