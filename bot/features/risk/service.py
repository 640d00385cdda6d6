"""Risk score per project, 0-100, explainable: each signal adds points with a reason (open P1/P2
tickets, SLA breaches, CSAT and NPS trend, client silence, warranty ending, overdue handover
items). A recurring job tells staff when a project crosses the alert threshold, once per crossing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.core.protocols import Clock, Outbox
from bot.core.staff import StaffChannel
from bot.features.handover.service import HandoverService
from bot.features.risk.models import RiskState
from bot.features.surveys.report import SurveyRecord, SurveyReport, survey_report
from bot.features.surveys.service import SurveyService
from bot.features.tickets.models import Ticket, TicketEvent
from bot.features.tickets.service import OPEN_STATUSES
from bot.storage.db import Database
from bot.storage.models import Client, Conversation, Message, Project

RISK_JOB = "risk.check"
WINDOW = timedelta(days=30)  # SLA breaches counted over the last 30 days
TREND = timedelta(days=90)  # survey scores: the last 90 days against the 90 before
QUIET_DAYS = (30, 60)  # client silence: points after 30 days, more after 60
WARRANTY_SOON = 30

# Points per signal; each capped so one kind of trouble cannot fill the scale alone.
P1_POINTS, P2_POINTS, TICKET_CAP = 25, 10, 40
BREACH_POINTS, BREACH_CAP = 10, 30
CSAT_LOW, CSAT_LOW_POINTS, CSAT_DROP, CSAT_DROP_POINTS = 3.5, 15, 0.5, 10
NPS_LOW_POINTS, NPS_DROP, NPS_DROP_POINTS = 15, 20, 10
QUIET_POINTS = (10, 20)
WARRANTY_POINTS = 15
OVERDUE_POINTS, OVERDUE_CAP = 5, 20


@dataclass(frozen=True)
class Signal:
    name: str
    points: int
    reason: str


@dataclass(frozen=True)
class Risk:
    project_id: int
    client: str
    project: str
    score: int
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class ProjectFacts:
    """Everything the score looks at for one project, gathered from the database."""

    today: date
    open_p1: int
    open_p2: int
    breaches: int
    surveys: tuple[SurveyRecord, ...]
    now: datetime
    last_spoke: datetime | None
    delivered_on: date
    warranty_until: date | None
    overdue_items: tuple[str, ...]


def score(facts: ProjectFacts) -> tuple[int, tuple[Signal, ...]]:
    """The score and the signals that make it up; pure, so each rule is tested on its own."""
    signals: list[Signal] = []
    tickets = min(TICKET_CAP, facts.open_p1 * P1_POINTS + facts.open_p2 * P2_POINTS)
    if tickets:
        signals.append(
            Signal(
                "tickets", tickets, f"{facts.open_p1} open P1 and {facts.open_p2} open P2 tickets"
            )
        )
    if facts.breaches:
        signals.append(
            Signal(
                "sla",
                min(BREACH_CAP, facts.breaches * BREACH_POINTS),
                f"{facts.breaches} SLA breach(es) in the last 30 days",
            )
        )
    signals += _survey_signals(facts.surveys, facts.now)
    signals += _quiet_signal(facts)
    if facts.warranty_until is not None:
        left = (facts.warranty_until - facts.today).days
        if 0 <= left <= WARRANTY_SOON:
            signals.append(
                Signal(
                    "warranty",
                    WARRANTY_POINTS,
                    f"warranty ends in {left} days ({facts.warranty_until.isoformat()})",
                )
            )
    if facts.overdue_items:
        signals.append(
            Signal(
                "handover",
                min(OVERDUE_CAP, len(facts.overdue_items) * OVERDUE_POINTS),
                f"{len(facts.overdue_items)} handover item(s) overdue: "
                + ", ".join(facts.overdue_items),
            )
        )
    return min(100, sum(s.points for s in signals)), tuple(signals)


def _window(records: Iterable[SurveyRecord], start: datetime, end: datetime) -> SurveyReport:
    return survey_report(r for r in records if start <= r.created_at < end)


def _survey_signals(records: tuple[SurveyRecord, ...], now: datetime) -> list[Signal]:
    signals: list[Signal] = []
    recent_start, before_start = now - TREND, now - 2 * TREND
    recent = _window(records, recent_start, now)
    before = _window(records, before_start, recent_start)
    csat_now, csat_before = recent.csat.average, before.csat.average
    if csat_now is not None and csat_now < CSAT_LOW:
        signals.append(
            Signal("csat", CSAT_LOW_POINTS, f"CSAT average {csat_now:.1f}/5 over the last 90 days")
        )
    if csat_now is not None and csat_before is not None and csat_before - csat_now >= CSAT_DROP:
        signals.append(
            Signal(
                "csat_trend",
                CSAT_DROP_POINTS,
                f"CSAT fell from {csat_before:.1f} to {csat_now:.1f} (90 days before vs last 90)",
            )
        )
    nps_now, nps_before = recent.nps.nps, before.nps.nps
    if nps_now is not None and nps_now < 0:
        signals.append(Signal("nps", NPS_LOW_POINTS, f"NPS {nps_now:+.0f} over the last 90 days"))
    if nps_now is not None and nps_before is not None and nps_before - nps_now >= NPS_DROP:
        signals.append(
            Signal(
                "nps_trend",
                NPS_DROP_POINTS,
                f"NPS fell from {nps_before:+.0f} to {nps_now:+.0f} (90 days before vs last 90)",
            )
        )
    return signals


def _quiet_signal(facts: ProjectFacts) -> list[Signal]:
    if facts.last_spoke is None:
        days = (facts.today - facts.delivered_on).days
        if days >= QUIET_DAYS[0]:
            points = QUIET_POINTS[1] if days >= QUIET_DAYS[1] else QUIET_POINTS[0]
            return [
                Signal("quiet", points, f"the client has not written since delivery ({days} days)")
            ]
        return []
    days = (facts.now - facts.last_spoke).days
    for limit, points in sorted(zip(QUIET_DAYS, QUIET_POINTS, strict=True), reverse=True):
        if days >= limit:
            return [Signal("quiet", points, f"the client last wrote {days} days ago")]
    return []


class RiskService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        surveys: SurveyService,
        handover: HandoverService,
        threshold: int,
        staff_channel: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._surveys = surveys
        self._handover = handover
        self.threshold = threshold
        self._staff = StaffChannel(outbox, staff_channel)

    async def report(self, project_id: int | None = None) -> list[Risk]:
        """Every project's risk (or just `project_id`'s), highest first."""
        now = self._clock.now()
        overdue = await self._handover.overdue()
        risks: list[Risk] = []
        async with self._db.session() as session:
            query = select(Project, Client).join(Client)
            if project_id is not None:
                query = query.where(Project.id == project_id)
            projects = (await session.execute(query)).all()
            breaches = dict(
                (
                    await session.execute(
                        select(Ticket.project_id, func.count(TicketEvent.id))
                        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                        .where(TicketEvent.kind == "sla_breach", TicketEvent.at >= now - WINDOW)
                        .group_by(Ticket.project_id)
                    )
                ).all()
            )
            open_by: dict[tuple[int, str], int] = {
                (int(p), str(s)): int(n)
                for p, s, n in (
                    await session.execute(
                        select(Ticket.project_id, Ticket.severity, func.count(Ticket.id))
                        .where(Ticket.status.in_(OPEN_STATUSES), Ticket.severity.in_(("P1", "P2")))
                        .group_by(Ticket.project_id, Ticket.severity)
                    )
                ).all()
            }
            spoke = dict(
                (
                    await session.execute(
                        select(Conversation.client_id, func.max(Message.created_at))
                        .join(Conversation, Conversation.id == Message.conversation_id)
                        .where(Message.direction == "in", Message.contact_id.is_not(None))
                        .group_by(Conversation.client_id)
                    )
                ).all()
            )
        for project, client in projects:
            records = await self._surveys.find(client_ref=client.code, project=project.name)
            last = spoke.get(client.id)
            facts = ProjectFacts(
                today=now.astimezone(ZoneInfo(project.timezone)).date(),
                open_p1=open_by.get((project.id, "P1"), 0),
                open_p2=open_by.get((project.id, "P2"), 0),
                breaches=int(breaches.get(project.id, 0)),
                surveys=tuple(records),
                now=now,
                last_spoke=last,
                delivered_on=project.delivered_on,
                warranty_until=project.warranty_until,
                overdue_items=tuple(i.key for i in overdue.get(project.id, [])),
            )
            total, signals = score(facts)
            risks.append(Risk(project.id, client.code, project.name, total, signals))
        return sorted(risks, key=lambda r: (-r.score, r.client, r.project))

    async def check(self) -> list[Risk]:
        """Score every project; tell staff about each one that crossed the threshold since the
        last check (once per crossing: it must fall below before it alerts again)."""
        now = self._clock.now()
        alerts: list[tuple[Risk, int]] = []
        risks = await self.report()
        async with self._db.session() as session:
            for risk in risks:
                state = await session.get(RiskState, risk.project_id)
                above = risk.score >= self.threshold
                if state is None:
                    state = RiskState(project_id=risk.project_id, above=False, crossings=0)
                    session.add(state)
                if above and not state.above:
                    state.crossings = (state.crossings or 0) + 1
                    alerts.append((risk, state.crossings))
                state.above, state.score, state.updated_at = above, risk.score, now
        for risk, crossing in alerts:
            await self._tell_staff(risk, crossing)
        return [risk for risk, _ in alerts]

    async def _tell_staff(self, risk: Risk, crossing: int) -> None:
        reasons = "; ".join(f"+{s.points} {s.reason}" for s in risk.signals)
        await self._staff.post(
            f"Risk: {risk.client} / {risk.project} scores {risk.score} "
            f"(alert at {self.threshold}): {reasons}",
            kind="risk_staff",
            key=f"risk:{risk.project_id}:{crossing}",
            thread=f"risk:{risk.project_id}",
        )


def risk_json(risk: Risk) -> dict[str, Any]:
    return {
        "client": risk.client,
        "project": risk.project,
        "score": risk.score,
        "signals": [{"name": s.name, "points": s.points, "reason": s.reason} for s in risk.signals],
    }
