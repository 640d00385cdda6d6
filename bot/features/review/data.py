"""What a project review holds, gathered from the features' own services and reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.app import App
from bot.core.errors import NotFoundError
from bot.core.project_lookup import project_by_name
from bot.features.announcements.models import Announcement
from bot.features.announcements.service import AnnouncementView
from bot.features.handover.service import ChecklistView
from bot.features.risk.service import Risk
from bot.features.suggestions.service import SuggestionView
from bot.features.surveys.report import SurveyReport, survey_report
from bot.features.tickets.report import SlaReport, sla_report
from bot.features.tickets.service import OPEN_STATUSES, TicketView
from bot.features.training.service import AttendeeView, SessionView
from bot.storage.models import Client, Project


@dataclass(frozen=True)
class TrainingLine:
    session: SessionView
    attendees: tuple[AttendeeView, ...]

    @property
    def average(self) -> float | None:
        ratings = self.session.ratings
        return sum(ratings) / len(ratings) if ratings else None


@dataclass(frozen=True)
class NoticeLine:
    notice: AnnouncementView
    contacts: int
    acknowledged: int


@dataclass(frozen=True)
class ProjectReview:
    client_name: str
    client_code: str
    project: str
    delivered_on: date
    accepted_on: date | None
    warranty_until: date | None
    sla_tier: str
    timezone: str
    generated_at: datetime
    checklist: ChecklistView
    risk: Risk | None
    tickets: tuple[TicketView, ...]
    sla: SlaReport
    surveys: SurveyReport
    training: tuple[TrainingLine, ...]
    notices: tuple[NoticeLine, ...]
    suggestions: tuple[SuggestionView, ...]  # the project's, and its client's not tied to one

    @property
    def by_category(self) -> dict[str, tuple[int, int]]:
        """Category -> (tickets, still open), most tickets first."""
        total = Counter(t.category for t in self.tickets)
        still_open = Counter(t.category for t in self.tickets if t.status in OPEN_STATUSES)
        return {
            c: (n, still_open[c]) for c, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
        }


async def gather(app: App, project_name: str, client_ref: str | None = None) -> ProjectReview:
    """Everything the review shows about one project, as of now, from each feature's service."""
    async with app.db.session() as session:
        project_id = (await project_by_name(session, project_name, client_ref)).id
    return await gather_project(app, project_id)


async def gather_project(app: App, project_id: int) -> ProjectReview:
    """`gather` for a project by id (the console's links carry ids)."""
    now = app.clock.now()
    async with app.db.session() as session:
        project = await session.get(Project, project_id)
        if project is None:
            raise NotFoundError(f"no project {project_id}")
        client = await session.get(Client, project.client_id)
        assert client is not None
        notice_ids = list(
            await session.scalars(
                select(Announcement.id)
                .where(
                    (Announcement.project_id == project.id)
                    | ((Announcement.client_id == client.id) & Announcement.project_id.is_(None))
                    | (Announcement.scope == "all")
                )
                .order_by(Announcement.send_at, Announcement.id)
            )
        )
    mine = [t for t in await app.tickets.find(client.id, limit=None) if t.project == project.name]
    lines = []
    for view in await app.training.for_project(project.id):
        lines.append(TrainingLine(view, tuple(await app.training.attendees(view.id))))
    notices = []
    for notice_id in notice_ids:
        copies = [
            d for d in await app.announcements.deliveries(notice_id) if d.client == client.code
        ]
        notices.append(
            NoticeLine(
                await app.announcements.get(notice_id),
                len(copies),
                sum(1 for d in copies if d.state == "acknowledged"),
            )
        )
    return ProjectReview(
        client_name=client.name,
        client_code=client.code,
        project=project.name,
        delivered_on=project.delivered_on,
        accepted_on=project.accepted_on,
        warranty_until=project.warranty_until,
        sla_tier=project.sla_tier,
        timezone=project.timezone,
        generated_at=now,
        checklist=await app.handover.checklist(project.id),
        risk=next(iter(await app.risk.report(project.id)), None),
        tickets=tuple(mine),
        sla=sla_report(mine, now),
        surveys=survey_report(await app.surveys.find(client_ref=client.code, project=project.name)),
        training=tuple(lines),
        notices=tuple(notices),
        suggestions=tuple(
            s
            for s in await app.suggestions.find(client_ref=client.code)
            if s.project in (None, project.name)
        ),
    )
