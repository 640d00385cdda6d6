"""/project: a client's own view of a project: acceptance, warranty left, SLA targets, open
tickets, the next check-in and the next training."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.core.i18n import Lang, say
from bot.core.localtime import when_text
from bot.core.protocols import Clock
from bot.core.scheduler import JobState, Scheduler
from bot.features.followups.service import CHECKIN
from bot.features.handover.service import ChecklistView, HandoverService
from bot.features.project_info.phrases import PHRASES
from bot.features.tickets.policies import SEVERITIES, Policies
from bot.features.tickets.service import OPEN_STATUSES, TicketService
from bot.features.training.service import SCHEDULED, TrainingService

# A tier as the knowledge base's headings name it, in both languages ("Gold tier SLA targets",
# "金牌服务 SLA 时限"); a tier of another name is looked for by its own name.
TIER_WORDS: dict[str, tuple[str, ...]] = {
    "gold": ("gold", "金牌"),
    "silver": ("silver", "银牌"),
    "bronze": ("bronze", "铜牌"),
}


@dataclass(frozen=True)
class ClientCase:
    """What an answer may tell a linked client about their own (only) project: their tier as
    headings name it, and a line of their own figures per topic (`sla`, `warranty`,
    `checkin`)."""

    tier_words: tuple[str, ...]
    lines: dict[str, str]


class ProjectInfo:
    def __init__(
        self,
        clock: Clock,
        handover: HandoverService,
        tickets: TicketService,
        policies: Policies,
        scheduler: Scheduler,
        training: TrainingService,
    ) -> None:
        self._clock = clock
        self._handover = handover
        self._tickets = tickets
        self._policies = policies
        self._scheduler = scheduler
        self._training = training

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
        training = await self._next_training(project_id)
        if training:
            lines.append(say(PHRASES, "next_training", lang, what=training))
        return "\n".join(lines)

    async def case_for(self, client_id: int, lang: Lang) -> ClientCase | None:
        """The client's case when they have exactly one project (with several, an answer
        cannot know which one the question is about)."""
        projects = await self._handover.projects_of(client_id)
        if len(projects) != 1:
            return None
        project_id = projects[0][0]
        view = await self._handover.checklist(project_id, client_id)
        today = self._clock.now().astimezone(ZoneInfo(view.timezone)).date()
        tier = view.sla_tier
        targets = ", ".join(
            f"{severity} {_hours(t.first_response.total_seconds())} / "
            f"{_hours(t.resolution.total_seconds())}"
            for severity in SEVERITIES
            if (t := self._policies.targets(tier, severity))
        )
        checkin = await self._next_checkin(project_id)
        next_checkin = (
            say(PHRASES, "next_checkin", lang, date=checkin.isoformat())
            if checkin
            else say(PHRASES, "no_checkin", lang)
        )

        def own(fact: str) -> str:
            return say(PHRASES, "your_project", lang, project=view.project, fact=fact)

        return ClientCase(
            TIER_WORDS.get(tier.casefold(), (tier,)),
            {
                "sla": say(
                    PHRASES, "your_sla", lang, project=view.project, tier=tier, targets=targets
                ),
                "warranty": own(_warranty(view.warranty_until, today, lang)),
                "checkin": own(next_checkin),
            },
        )

    async def _next_checkin(self, project_id: int) -> date | None:
        """The soonest pending check-in job of the project (jobs list soonest first)."""
        due = await self._scheduler.jobs(
            state=JobState.PENDING,
            kind=CHECKIN,
            key_prefix=f"project:{project_id}:checkin:",
            limit=1,
        )
        return due[0].due_at.date() if due else None

    async def _next_training(self, project_id: int) -> str | None:
        """The project's next scheduled session, as one line (sessions come soonest first)."""
        now = self._clock.now()
        first = next(
            (
                s
                for s in await self._training.for_project(project_id)
                if s.state == SCHEDULED and s.starts_at > now
            ),
            None,
        )
        if first is None:
            return None
        return f"{when_text(first.starts_at, first.timezone)}, {first.title}"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:g}h"


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
