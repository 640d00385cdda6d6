"""Follow-ups: check-ins after delivery (or acceptance) and warranty-expiry notices, scheduled
per project on the durable scheduler and moved, never duplicated, when the project's dates change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import client_by_ref
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.events import ProjectChanged
from bot.core.feature import JobSpec
from bot.core.i18n import Lang, say
from bot.core.messages import Button, Reply
from bot.core.protocols import Clock, Outbox
from bot.core.quiet import WakingHours
from bot.core.reach import Recipient, push_when_awake, recipients
from bot.core.scheduler import Job, JobState, Scheduler
from bot.features.followups.models import FollowUpPolicy
from bot.features.followups.phrases import PHRASES
from bot.storage.db import Database
from bot.storage.models import Project

log = logging.getLogger(__name__)

CHECKIN, WARRANTY = "followup.checkin", "followup.warranty"
SEND_AT = time(10)  # local time of the project on the due day; quiet hours apply per contact


@dataclass(frozen=True)
class Policy:
    checkin_days: tuple[int, ...]
    warranty_notice_days: tuple[int, ...]


def parse_days(spec: str, what: str) -> tuple[int, ...]:
    """`"7,30,90"` -> (7, 30, 90); a clear error for anything else."""
    try:
        days = tuple(sorted({int(part) for part in spec.split(",") if part.strip()}))
    except ValueError:
        raise InvalidInputError(
            f"{what} must be whole days separated by commas, like 7,30,90"
        ) from None
    if any(d <= 0 or d > 3650 for d in days):
        raise InvalidInputError(f"{what} must be between 1 and 3650 days")
    return days


@dataclass(frozen=True)
class ScheduledFollowUp:
    """One follow-up of a project: `label` is checkin:30 or warranty:7; state pending or done."""

    due_at: datetime
    label: str
    state: str


class FollowUps:
    """Schedules and sends a project's check-ins and warranty notices."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        outbox: Outbox,
        waking: WakingHours,
        defaults: Policy,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._outbox = outbox
        self._waking = waking
        self.defaults = defaults

    def jobs(self) -> list[JobSpec]:
        return [JobSpec(CHECKIN, self._checkin), JobSpec(WARRANTY, self._warranty)]

    # --- scheduling ----------------------------------------------------------------------

    async def project_id(self, client_ref: str, project_name: str) -> int:
        async with self._db.session() as session:
            return (await _project(session, client_ref, project_name)).id

    async def policy(self, project_id: int) -> Policy:
        async with self._db.session() as session:
            return await self._policy(session, project_id)

    async def _policy(self, session: AsyncSession, project_id: int) -> Policy:
        row = await session.get(FollowUpPolicy, project_id)
        if row is None:
            return self.defaults
        return Policy(
            tuple(int(d) for d in row.checkin_days["days"]),
            tuple(int(d) for d in row.warranty_notice_days["days"]),
        )

    async def set_policy(
        self,
        client_ref: str,
        project_name: str,
        checkin_days: tuple[int, ...] | None,
        warranty_notice_days: tuple[int, ...] | None,
    ) -> Policy:
        """Override a project's follow-up days (None keeps the current value) and reschedule."""
        async with self._db.session() as session:
            project = await _project(session, client_ref, project_name)
            current = await self._policy(session, project.id)
            policy = Policy(
                checkin_days if checkin_days is not None else current.checkin_days,
                warranty_notice_days
                if warranty_notice_days is not None
                else current.warranty_notice_days,
            )
            row = await session.get(FollowUpPolicy, project.id)
            if row is None:
                row = FollowUpPolicy(project_id=project.id)
                session.add(row)
            row.checkin_days = {"days": list(policy.checkin_days)}
            row.warranty_notice_days = {"days": list(policy.warranty_notice_days)}
            row.updated_at = self._clock.now()
            project_id = project.id
        await self.reschedule(project_id)
        return policy

    async def schedule(self, project_id: int) -> list[ScheduledFollowUp]:
        """A project's follow-ups still to send and already sent, soonest first (cancelled
        ones, dropped from the policy or moved past, are left out)."""
        prefix = f"project:{project_id}:"
        return [
            ScheduledFollowUp(job.due_at, job.key.removeprefix(prefix), job.state)
            for job in await self._scheduler.jobs(key_prefix=prefix, limit=10_000)
            if job.key is not None
            and job.kind in (CHECKIN, WARRANTY)
            and job.state in (JobState.PENDING, JobState.DONE)
        ]

    async def project_changed(self, event: ProjectChanged) -> None:
        await self.reschedule(event.project_id)

    async def reschedule(self, project_id: int) -> list[str]:
        """(Re)compute a project's follow-up jobs from its dates and policy.

        Pending jobs move to their new times; jobs already sent stay sent; days dropped from
        the policy are cancelled; moments already past when scheduling are not sent late.
        Returns the keys of the jobs now pending.
        """
        now = self._clock.now()
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None:
                raise NotFoundError(f"no project {project_id}")
            policy = await self._policy(session, project_id)
            zone = ZoneInfo(project.timezone)
            anchor = project.accepted_on or project.delivered_on
            wanted: dict[str, tuple[str, datetime, dict[str, Any]]] = {}
            for days in policy.checkin_days:
                due = datetime.combine(anchor + timedelta(days=days), SEND_AT, zone)
                payload = {"project_id": project_id, "days": days}
                wanted[f"project:{project_id}:checkin:{days}"] = (CHECKIN, due, payload)
            if project.warranty_until is not None:
                for days in policy.warranty_notice_days:
                    due = datetime.combine(
                        project.warranty_until - timedelta(days=days), SEND_AT, zone
                    )
                    payload = {"project_id": project_id, "days": days}
                    wanted[f"project:{project_id}:warranty:{days}"] = (WARRANTY, due, payload)
        existing = {
            job.key: job
            for kind in (CHECKIN, WARRANTY)
            for job in await self._scheduler.jobs(kind=kind, limit=10_000)
            if job.key is not None and job.key.startswith(f"project:{project_id}:")
        }
        for key, job in existing.items():
            if key not in wanted and job.state == JobState.PENDING:
                await self._scheduler.cancel(key)
        pending: list[str] = []
        for key, (kind, due, payload) in sorted(wanted.items(), key=lambda kv: kv[1][1]):
            old = existing.get(key)
            if old is not None and old.state in (JobState.DONE, JobState.RUNNING):
                continue  # already sent (or being sent): never twice
            if due <= now:
                if old is not None and old.state == JobState.PENDING:
                    await self._scheduler.cancel(key)
                continue
            await self._scheduler.schedule(kind, dict(payload), due, key=key, replace=True)
            pending.append(key)
        return pending

    # --- sending -------------------------------------------------------------------------

    async def _checkin(self, job: Job) -> None:
        project_id, days = int(job.payload["project_id"]), int(job.payload["days"])
        now = self._clock.now()
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None:
                return
            policy = await self._policy(session, project_id)
            anchor = project.accepted_on or project.delivered_on
            later = [d for d in policy.checkin_days if d > days]
            if later and _local_day(now, project.timezone) >= anchor + timedelta(days=later[0]):
                log.info("check-in superseded by a later one", extra={"job": job.id})
                return  # after a long stop, only the latest due check-in is sent
            event = "accepted" if project.accepted_on else "delivered"
            people = await recipients(session, project.client_id, timezone=project.timezone)
            name = project.name
        for person in people:
            reply = Reply(
                say(
                    PHRASES,
                    "checkin",
                    person.lang,
                    name=person.name,
                    days=str(days),
                    project=name,
                    event=say(PHRASES, event, person.lang),
                ),
                buttons=_checkin_buttons(project_id, person.lang),
                kind="followup_checkin",
                meta={"project_id": str(project_id)},
            )
            await self._send(job, person, reply)

    async def _warranty(self, job: Job) -> None:
        project_id, days = int(job.payload["project_id"]), int(job.payload["days"])
        now = self._clock.now()
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None or project.warranty_until is None:
                return
            end = project.warranty_until
            today = _local_day(now, project.timezone)
            policy = await self._policy(session, project_id)
            closer = [d for d in policy.warranty_notice_days if d < days]
            if today >= end or (closer and today >= end - timedelta(days=closer[-1])):
                return  # the warranty ended, or a closer notice is due: this one is stale
            people = await recipients(session, project.client_id, timezone=project.timezone)
            name = project.name
        for person in people:
            reply = Reply(
                say(
                    PHRASES,
                    "warranty",
                    person.lang,
                    name=person.name,
                    project=name,
                    end=end.isoformat(),
                    days=str((end - today).days),
                ),
                buttons=(
                    Button(say(PHRASES, "problem", person.lang), "ticket:new"),
                    Button(say(PHRASES, "person", person.lang), "human:request"),
                ),
                kind="followup_warranty",
                meta={"project_id": str(project_id)},
            )
            await self._send(job, person, reply)

    async def _send(self, job: Job, person: Recipient, reply: Reply) -> None:
        key = f"{job.key or job.id}:to:{person.contact_id}"
        await push_when_awake(self._outbox, self._waking, self._clock.now(), person, reply, key)


def _checkin_buttons(project_id: int, lang: Lang) -> tuple[Button, ...]:
    return (
        Button(say(PHRASES, "all_good", lang), f"followup:ok:{project_id}"),
        Button(say(PHRASES, "problem", lang), "ticket:new"),
        Button(say(PHRASES, "person", lang), "human:request"),
    )


def _local_day(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


async def _project(session: AsyncSession, client_ref: str, name: str) -> Project:
    client = await client_by_ref(session, client_ref)
    project = await session.scalar(
        select(Project).where(Project.client_id == client.id, Project.name == name.strip())
    )
    if project is None:
        raise NotFoundError(f"{client.name} has no project named {name.strip()!r}")
    return project
