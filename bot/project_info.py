"""/project: a client's own view of a project: acceptance, warranty left, SLA targets, open
tickets, the next check-in and (when the training feature is there) the next training."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from zoneinfo import ZoneInfo

from bot.followups import CHECKIN
from bot.handover import ChecklistView, HandoverService
from bot.handover_phrases import PHRASES
from bot.i18n import Lang, say
from bot.protocols import Clock
from bot.scheduler import JobState, Scheduler
from bot.tickets.policies import SEVERITIES, Policies
from bot.tickets.service import OPEN_STATUSES, TicketService
from bot.training.service import SCHEDULED, TrainingService, when_text

# (project id, language) -> a line such as "2026-03-10 10:00, Admin training", or None.
NextTraining = Callable[[int, Lang], Awaitable[str | None]]


class ProjectInfo:
    def __init__(
        self,
        clock: Clock,
        handover: HandoverService,
        tickets: TicketService,
        policies: Policies,
        scheduler: Scheduler,
        next_training: NextTraining | None = None,
    ) -> None:
        self._clock = clock
        self._handover = handover
        self._tickets = tickets
        self._policies = policies
        self._scheduler = scheduler
        self.next_training = next_training

    async def describe(self, project_id: int, client_id: int, lang: Lang) -> str:
        """The summary for a contact of `client_id`; another client's project is not found."""
        view = await self._handover.checklist(project_id, client_id)
        today = self._clock.now().astimezone(ZoneInfo(view.timezone)).date()
        tier = view.sla_tier
        lines = [say(PHRASES, "project_head", lang, project=view.project, tier=tier)]
        lines.append(_acceptance(view, lang))
        lines.append(_warranty(view.warranty_until, today, lang))
        lines.append(say(PHRASES, "sla_targets", lang))
        for severity in SEVERITIES:
            targets = self._policies.targets(tier, severity)
            first = targets.first_response.total_seconds() / 3600
            resolution = targets.resolution.total_seconds() / 3600
            lines.append(f"  {severity}: {first:g}h / {resolution:g}h")
        tickets = [
            v
            for v in await self._tickets.find(client_id, statuses=OPEN_STATUSES, limit=None)
            if v.project == view.project
        ]
        refs = f" ({', '.join(v.ref for v in tickets[:10])})" if tickets else ""
        lines.append(say(PHRASES, "open_tickets", lang, count=str(len(tickets)), refs=refs))
        checkin = await self._next_checkin(project_id)
        if checkin is None:
            lines.append(say(PHRASES, "no_checkin", lang))
        else:
            lines.append(say(PHRASES, "next_checkin", lang, date=checkin.isoformat()))
        if self.next_training is not None:
            training = await self.next_training(project_id, lang)
            if training:
                lines.append(say(PHRASES, "next_training", lang, what=training))
        return "\n".join(lines)

    async def _next_checkin(self, project_id: int) -> date | None:
        prefix = f"project:{project_id}:checkin:"
        due = [
            job.due_at
            for job in await self._scheduler.jobs(
                state=JobState.PENDING, kind=CHECKIN, limit=10_000
            )
            if job.key and job.key.startswith(prefix)
        ]
        return min(due).date() if due else None


def next_training_from(training: TrainingService, clock: Clock) -> NextTraining:
    """The training feature's next scheduled session of a project, as one line."""

    async def next_training(project_id: int, _lang: Lang) -> str | None:
        now = clock.now()
        upcoming = [
            s
            for s in await training.for_project(project_id)
            if s.state == SCHEDULED and s.starts_at > now
        ]
        if not upcoming:
            return None
        first = min(upcoming, key=lambda s: s.starts_at)
        return f"{when_text(first.starts_at, first.timezone)}, {first.title}"

    return next_training


def _acceptance(view: ChecklistView, lang: Lang) -> str:
    if view.accepted_on is not None:
        return say(
            PHRASES,
            "project_accepted",
            lang,
            delivered=view.delivered_on.isoformat(),
            accepted=view.accepted_on.isoformat(),
        )
    return say(
        PHRASES,
        "project_not_accepted",
        lang,
        delivered=view.delivered_on.isoformat(),
        done=str(view.confirmed),
        total=str(len(view.items)),
    )


def _warranty(until: date | None, today: date, lang: Lang) -> str:
    if until is None:
        return say(PHRASES, "warranty_none", lang)
    if until < today:
        return say(PHRASES, "warranty_ended", lang, date=until.isoformat())
    return say(
        PHRASES, "warranty_left", lang, date=until.isoformat(), days=str((until - today).days)
    )
