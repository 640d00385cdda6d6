"""When a client's support team works: each project's SLA calendar, in the project's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.core.directory import projects_of_client
from bot.core.protocols import Clock
from bot.features.tickets.policies import Policies
from bot.features.tickets.sla import BusinessCalendar
from bot.storage.db import Database

NORMAL = "P2"  # everything but a P1 incident follows the tier's working calendar


@dataclass(frozen=True)
class Hours:
    project: str
    tier: str
    timezone: str
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time
    opens_at: datetime | None  # None: the team is in now


class SupportHours:
    def __init__(self, db: Database, clock: Clock, policies: Policies) -> None:
        self._db = db
        self._clock = clock
        self._policies = policies

    async def of_client(self, client_id: int) -> list[Hours]:
        """One entry per project of the client, by name."""
        async with self._db.session() as session:
            projects = await projects_of_client(session, client_id)
        now = self._clock.now()
        return [self._hours(p.name, p.sla_tier, p.timezone, now) for p in projects]

    def _hours(self, project: str, tier: str, timezone: str, now: datetime) -> Hours:
        calendar: BusinessCalendar = self._policies.calendar_for(tier, NORMAL)
        return Hours(
            project,
            tier,
            timezone,
            calendar.days,
            calendar.start,
            calendar.end,
            calendar.opens_after(now, timezone),
        )
