"""Surveys: a CSAT after a ticket is resolved, an NPS round per project; one vote each, an
optional comment, and a staff follow-up task when the score is low."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import client_by_ref
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.events import Events, ProjectChanged
from bot.core.feature import JobSpec
from bot.core.i18n import Lang, lang_of, say
from bot.core.messages import Address, Button, Reply
from bot.core.protocols import Clock, Outbox
from bot.core.reach import recipients
from bot.core.scheduler import Job, Jobs
from bot.core.settings import Settings
from bot.core.staff import StaffChannel
from bot.features.surveys.models import Survey, SurveyFollowUp
from bot.features.surveys.phrases import PHRASES
from bot.features.surveys.report import SurveyRecord
from bot.features.tickets.models import Ticket, TicketEvent
from bot.features.tickets.service import TicketResolved, ticket_ref
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Conversation, Project

log = logging.getLogger(__name__)

CSAT, NPS = "csat", "nps"
SCALES: dict[str, tuple[int, ...]] = {CSAT: tuple(range(1, 6)), NPS: tuple(range(11))}
LOW_SCORE = {CSAT: 2, NPS: 6}  # at or below: a staff follow-up task
SENT, ANSWERED, SKIPPED = "sent", "answered", "skipped"
JOB_CSAT, JOB_NPS, JOB_REMIND = "survey.csat", "survey.nps", "survey.remind"
_RESOLVED = ("resolved", "closed")
_NPS_LOCAL_TIME = time(10, 0)  # an NPS round is due at 10:00 in the project's timezone

_M = TypeVar("_M")
Escalate = Callable[[int, str], Awaitable[object]]
WakingTime = Callable[[datetime, str], datetime]


@dataclass(frozen=True)
class SurveyPolicy:
    """When surveys go out; built from the AFTERCARE_SURVEY_* settings."""

    csat_delay: timedelta = timedelta(hours=24)
    csat_sample_rate: float = 1.0
    cooldown: timedelta = timedelta(days=14)
    reminder_after: timedelta = timedelta(hours=24)
    nps_enabled: bool = True
    nps_first: timedelta = timedelta(days=30)
    nps_every: timedelta = timedelta(days=90)
    default_timezone: str = "UTC"

    @classmethod
    def from_settings(cls, settings: Settings) -> SurveyPolicy:
        return cls(
            csat_delay=timedelta(hours=settings.survey_csat_delay_hours),
            csat_sample_rate=settings.survey_csat_sample_rate,
            cooldown=timedelta(days=settings.survey_cooldown_days),
            reminder_after=timedelta(hours=settings.survey_reminder_hours),
            nps_enabled=settings.survey_nps_enabled,
            nps_first=timedelta(days=settings.survey_nps_first_days),
            nps_every=timedelta(days=settings.survey_nps_every_days),
            default_timezone=settings.default_timezone,
        )


@dataclass(frozen=True)
class Vote:
    """What a click did: `accepted` is False when the survey had been answered already."""

    survey_id: int
    kind: str
    score: int
    accepted: bool

    @property
    def low(self) -> bool:
        return self.score <= LOW_SCORE[self.kind]


@dataclass(frozen=True)
class SurveyAnswered:
    """Emitted once a score is recorded and committed (the first vote on a survey only)."""

    survey_id: int
    kind: str  # csat | nps
    score: int
    low: bool  # at or below LOW_SCORE: a staff follow-up task was opened
    client_code: str
    client_name: str
    project: str
    ticket: str | None  # a CSAT's ticket, e.g. ACME-12
    contact: str | None  # the contact's handle
    conversation_id: int | None
    answered_at: datetime


@dataclass(frozen=True)
class FollowUpView:
    id: int
    survey_id: int
    kind: str
    score: int | None
    client: str
    project: str
    contact: str | None
    ticket: str | None
    comment: str | None
    state: str
    summary: str
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    note: str | None


def sampled(key: str, rate: float) -> bool:
    """The same answer for the same key every time (a retried job never re-rolls the dice)."""
    if rate >= 1:
        return True
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return digest / 2**64 < rate


def nps_due(delivered_on: date, first: timedelta, timezone: str) -> datetime:
    """The first NPS round: `first` after delivery, at 10:00 in the project's timezone."""
    day = delivered_on + timedelta(days=first.days)
    return datetime.combine(day, _NPS_LOCAL_TIME, ZoneInfo(timezone))


def _lang(contact: Contact | None) -> Lang:
    return lang_of(contact.lang if contact else None)


class SurveyService:
    """Sends surveys from scheduler jobs, records votes and comments, opens follow-up tasks.

    `escalate(conversation_id, reason)`, when set, is called after a low score (the handoff
    feature's hook); surveys work the same without it. A recorded score is announced as
    SurveyAnswered on `events`.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        jobs: Jobs,
        policy: SurveyPolicy,
        waking: WakingTime,
        staff_channel: str | None = None,
        escalate: Escalate | None = None,
        events: Events | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._jobs = jobs
        self.policy = policy
        self._waking = waking
        self._staff = StaffChannel(outbox, staff_channel)
        self.escalate = escalate
        self._events = events or Events()

    def jobs(self) -> list[JobSpec]:
        return [
            JobSpec(JOB_CSAT, self._on_csat_job),
            JobSpec(JOB_NPS, self._on_nps_job),
            JobSpec(JOB_REMIND, self._on_remind_job),
        ]

    # --- scheduling ----------------------------------------------------------------------

    async def ticket_resolved(self, event: TicketResolved) -> None:
        """A CSAT job N hours from now (moved, not doubled, when a reopened ticket is resolved
        again; the survey itself is sent once per ticket)."""
        ticket = event.ticket
        if self.policy.csat_sample_rate <= 0:
            return
        due = self._clock.now() + self.policy.csat_delay
        key = f"csat:ticket:{ticket.id}"
        await self._jobs.schedule(JOB_CSAT, {"ticket": ticket.id}, due, key=key, replace=True)

    async def project_changed(self, event: ProjectChanged) -> None:
        """A project added, or its dates changed: start its NPS rounds, or move the first round
        to the new delivery date while it has not run."""
        if not self.policy.nps_enabled:
            return
        project_id = event.project_id
        pending = await self._jobs.cancel(_nps_key(project_id, 0))
        await self.schedule_nps(project_id, replace=pending)

    async def schedule_nps(self, project_id: int, *, replace: bool = False) -> bool:
        """Start a project's NPS rounds (the first `nps_first` after delivery); idempotent.
        `replace` moves a first round that is scheduled already."""
        if not self.policy.nps_enabled:
            return False
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None:
                raise NotFoundError(f"no project with id {project_id}")
            due = nps_due(project.delivered_on, self.policy.nps_first, project.timezone)
        return await self._jobs.schedule(
            JOB_NPS,
            {"project": project_id, "round": 0},
            due,
            key=_nps_key(project_id, 0),
            replace=replace,
        )

    async def schedule_all_nps(self) -> int:
        """Start NPS rounds for every project that has none yet; safe to repeat."""
        async with self._db.session() as session:
            ids = list(await session.scalars(select(Project.id).order_by(Project.id)))
        started = 0
        for project_id in ids:
            started += await self.schedule_nps(project_id)
        return started

    async def _on_csat_job(self, job: Job) -> None:
        await self.send_csat(int(job.payload["ticket"]))

    async def _on_nps_job(self, job: Job) -> None:
        await self.send_nps(int(job.payload["project"]), int(job.payload["round"]), job.due_at)

    async def _on_remind_job(self, job: Job) -> None:
        await self.remind(int(job.payload["survey"]))

    # --- sending -------------------------------------------------------------------------

    async def send_csat(self, ticket_id: int) -> Survey | None:
        """Ask the ticket's reporter (unless sampled out or surveyed lately). Idempotent."""
        key = f"csat:ticket:{ticket_id}"
        now = self._clock.now()
        async with self._db.session() as session:
            survey = await session.scalar(select(Survey).where(Survey.key == key))
            if survey is None:
                ticket = await session.get(Ticket, ticket_id)
                if ticket is None or ticket.status not in _RESOLVED:
                    return None  # reopened meanwhile: the next resolve schedules it again
                survey = await self._new_csat(session, ticket, key, now)
                if survey is None:
                    return None
        if survey.state == SENT:
            await self._ask(survey)
        return survey

    async def _new_csat(
        self, session: AsyncSession, ticket: Ticket, key: str, now: datetime
    ) -> Survey | None:
        contact = await _maybe(session, Contact, ticket.reporter_contact_id)
        conversation = await _maybe(session, Conversation, ticket.conversation_id)
        if contact is None and conversation is not None and conversation.contact_id:
            contact = await session.get(Contact, conversation.contact_id)
        project = await session.get_one(Project, ticket.project_id)
        # The ticket's own conversation first; else wherever the reporter can be reached.
        reachable = conversation is not None
        conversation_id = conversation.id if conversation else None
        if conversation is None and contact is not None:
            found = await recipients(
                session, ticket.client_id, timezone=project.timezone, contact_id=contact.id
            )
            reachable = bool(found)
            conversation_id = found[0].conversation_id if found else None
        reason = None
        if not reachable:
            reason = "unreachable"
        elif not sampled(key, self.policy.csat_sample_rate):
            reason = "sampled_out"
        elif contact is not None and await self._surveyed_since(
            session, contact.id, now - self.policy.cooldown
        ):
            reason = "cooldown"
        tz = (contact.timezone if contact else None) or project.timezone
        survey = Survey(
            key=key,
            kind=CSAT,
            state=SKIPPED if reason else SENT,
            skip_reason=reason,
            client_id=ticket.client_id,
            project_id=ticket.project_id,
            ticket_id=ticket.id,
            contact_id=contact.id if contact else None,
            conversation_id=conversation_id,
            lang=_lang(contact),
            created_at=now,
            asked_at=None if reason else self._waking(now, tz),
        )
        return await _insert(session, survey)

    async def send_nps(self, project_id: int, round_: int, due_at: datetime) -> int:
        """One NPS round: ask every reachable contact of the project's client (bot/core/reach.py),
        then schedule the next round from the later of `due_at` and now, so a long stop
        yields one round now rather than one for each missed period. Returns how many asked."""
        now = self._clock.now()
        asked: list[Survey] = []
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None:
                return 0
            people = await recipients(session, project.client_id, timezone=project.timezone)
            for person in people:
                key = f"{_nps_key(project_id, round_)}:contact:{person.contact_id}"
                survey = await session.scalar(select(Survey).where(Survey.key == key))
                if survey is None:
                    survey = await _insert(
                        session,
                        Survey(
                            key=key,
                            kind=NPS,
                            state=SENT,
                            skip_reason=None,
                            client_id=project.client_id,
                            project_id=project.id,
                            ticket_id=None,
                            contact_id=person.contact_id,
                            conversation_id=person.conversation_id,
                            lang=person.lang,
                            created_at=now,
                            asked_at=self._waking(now, person.timezone),
                        ),
                    )
                if survey is not None and survey.state == SENT:
                    asked.append(survey)
        for survey in asked:
            await self._ask(survey)
        if self.policy.nps_enabled:
            await self._jobs.schedule(
                JOB_NPS,
                {"project": project_id, "round": round_ + 1},
                max(due_at, now) + self.policy.nps_every,
                key=_nps_key(project_id, round_ + 1),
            )
        return len(asked)

    async def remind(self, survey_id: int) -> bool:
        """The one reminder, when the survey is still unanswered. Idempotent."""
        async with self._db.session() as session:
            survey = await session.get(Survey, survey_id)
            if survey is None or survey.state != SENT:
                return False
        await self._ask(survey, reminder=True)
        async with self._db.session() as session:
            await session.execute(
                update(Survey)
                .where(Survey.id == survey_id, Survey.reminded_at.is_(None))
                .values(reminded_at=self._clock.now())
            )
        return True

    async def _ask(self, survey: Survey, *, reminder: bool = False) -> None:
        """Queue the question (or its reminder) for the survey's conversation, in waking hours;
        the first ask also schedules the reminder. Outbox and job keys derive from the survey's."""
        async with self._db.session() as session:
            project = await session.get_one(Project, survey.project_id)
            contact = await _maybe(session, Contact, survey.contact_id)
            ticket = await _maybe(session, Ticket, survey.ticket_id)
            ref = await ticket_ref(session, ticket) if ticket else ""
            address = await self._address(session, survey, project.timezone)
        if address is None:
            return
        lang = lang_of(survey.lang)
        phrase = f"{survey.kind}_{'remind' if reminder else 'ask'}"
        text = say(
            PHRASES,
            phrase,
            lang,
            ref=ref,
            title=ticket.title if ticket else "",
            project=project.name,
        )
        buttons = tuple(Button(str(s), f"survey:v:{survey.id}:{s}") for s in SCALES[survey.kind])
        # one_vote: the adapters replace the clicked message's buttons (Slack's `chosen`).
        reply = Reply(
            text,
            buttons=buttons,
            kind="survey_question",
            meta={"survey": str(survey.id), "one_vote": "true"},
        )
        now = self._clock.now()
        tz = (contact.timezone if contact else None) or project.timezone
        not_before = self._waking(now, tz) if reminder else (survey.asked_at or now)
        await self._outbox.enqueue(
            address,
            reply,
            conversation_id=survey.conversation_id,
            key=f"{survey.key}:{'remind' if reminder else 'ask'}",
            not_before=not_before,
        )
        if not reminder:
            await self._jobs.schedule(
                JOB_REMIND,
                {"survey": survey.id},
                not_before + self.policy.reminder_after,
                key=f"{survey.key}:remind",
            )

    async def _address(
        self, session: AsyncSession, survey: Survey, timezone: str
    ) -> Address | None:
        """The survey's conversation; for a contact who never wrote, their linked account."""
        conversation = await _maybe(session, Conversation, survey.conversation_id)
        if conversation is not None:
            return Address(
                conversation.channel,
                conversation.workspace_id,
                conversation.chat_id,
                conversation.thread_id,
            )
        if survey.contact_id is None:
            return None
        found = await recipients(
            session, survey.client_id, timezone=timezone, contact_id=survey.contact_id
        )
        return found[0].address if found else None

    async def _surveyed_since(
        self, session: AsyncSession, contact_id: int, since: datetime
    ) -> bool:
        found = await session.scalar(
            select(func.count(Survey.id)).where(
                Survey.contact_id == contact_id,
                Survey.state.in_((SENT, ANSWERED)),
                Survey.created_at >= since,
            )
        )
        return bool(found)

    # --- answers -------------------------------------------------------------------------

    async def vote(self, survey_id: int, score: int, client_id: int) -> Vote:
        """Record a score once. A second vote changes nothing and says what the first was.

        Raises NotFoundError for an unknown survey, another client's, or a skipped one.
        """
        now = self._clock.now()
        async with self._db.session() as session:
            survey = await self._own(session, survey_id, client_id)
            if score not in SCALES[survey.kind]:
                raise InvalidInputError(f"a {survey.kind} score is one of {SCALES[survey.kind]}")
            won = await session.scalar(
                update(Survey)
                .where(Survey.id == survey_id, Survey.score.is_(None))
                .values(score=score, state=ANSWERED, answered_at=now)
                .returning(Survey.id)
            )
            if won is None:
                await session.refresh(survey)
                return Vote(survey_id, survey.kind, int(survey.score or 0), accepted=False)
            vote = Vote(survey_id, survey.kind, score, accepted=True)
            summary = await self._summary(session, survey, score)
            answered = await _answered(session, survey, score, vote.low, now)
            if survey.ticket_id is not None:
                session.add(
                    TicketEvent(
                        ticket_id=survey.ticket_id,
                        at=now,
                        actor="survey",
                        kind="csat",
                        text=f"{score}/5",
                        data={"score": score, "survey": survey.id},
                    )
                )
            task = None
            if vote.low:
                task = SurveyFollowUp(
                    survey_id=survey.id,
                    client_id=survey.client_id,
                    state="open",
                    summary=summary,
                    created_at=now,
                    done_at=None,
                    done_by=None,
                    note=None,
                )
                session.add(task)
                await session.flush()
            key, conversation_id = survey.key, survey.conversation_id
        await self._jobs.cancel(f"{key}:remind")
        # A question or reminder still queued (held for waking hours) is moot now.
        for step in ("ask", "remind"):
            await self._outbox.withdraw(f"{key}:{step}")
        if task is not None:
            await self._tell_staff(
                f"Low score, follow up: {summary}. When done: aftercare survey done {task.id}",
                key=f"{key}:staff",
                thread=survey_id,
            )
            await self._escalate(conversation_id, summary)
        await self._events.emit(answered)  # the score is recorded whatever the listeners do
        return vote

    async def comment(self, survey_id: int, text: str, client_id: int) -> bool:
        """The optional comment after a vote; only the first one is kept. Staff see it when
        the score opened a follow-up task."""
        text = text.strip()
        if not text:
            raise InvalidInputError("a comment needs some text")
        now = self._clock.now()
        async with self._db.session() as session:
            survey = await self._own(session, survey_id, client_id)
            won = await session.scalar(
                update(Survey)
                .where(Survey.id == survey_id, Survey.comment.is_(None), Survey.score.is_not(None))
                .values(comment=text[:2000])
                .returning(Survey.id)
            )
            if won is None:
                return False
            if survey.ticket_id is not None:
                session.add(
                    TicketEvent(
                        ticket_id=survey.ticket_id,
                        at=now,
                        actor="survey",
                        kind="csat_comment",
                        text=text[:2000],
                        data={"survey": survey.id},
                    )
                )
            followup = await session.scalar(
                select(SurveyFollowUp).where(SurveyFollowUp.survey_id == survey_id)
            )
            key = survey.key
        if followup is not None:
            await self._tell_staff(
                f"Comment from the client: {text[:500]}", key=f"{key}:comment", thread=survey_id
            )
        return True

    async def _own(self, session: AsyncSession, survey_id: int, client_id: int) -> Survey:
        survey = await session.get(Survey, survey_id)
        if survey is None or survey.client_id != client_id or survey.state == SKIPPED:
            raise NotFoundError(f"no survey {survey_id}")
        return survey

    async def _summary(self, session: AsyncSession, survey: Survey, score: int) -> str:
        client = await session.get_one(Client, survey.client_id)
        project = await session.get_one(Project, survey.project_id)
        contact = await _maybe(session, Contact, survey.contact_id)
        who = f"{contact.name} ({contact.handle})" if contact else "unknown contact"
        if survey.kind == CSAT:
            ticket = await _maybe(session, Ticket, survey.ticket_id)
            ref = await ticket_ref(session, ticket) if ticket else "?"
            what = f"CSAT {score}/5 on {ref}"
        else:
            what = f"NPS {score}/10"
        return f"{what} from {who}, {client.name} / {project.name}"

    async def _escalate(self, conversation_id: int | None, reason: str) -> None:
        if self.escalate is None or conversation_id is None:
            return
        try:
            await self.escalate(conversation_id, reason)
        except Exception:
            # The vote and the follow-up task are recorded; a failed handoff must not undo them.
            log.exception("survey escalation failed", extra={"conversation": conversation_id})

    async def _tell_staff(self, text: str, *, key: str, thread: int) -> None:
        await self._staff.post(text, kind="survey_staff", key=key, thread=f"survey:{thread}")

    # --- staff follow-ups ----------------------------------------------------------------

    async def followups(
        self, *, include_done: bool = False, clients: Collection[int] | None = None
    ) -> list[FollowUpView]:
        """Low-score tasks, oldest first; `clients` narrows to those clients' (None: all)."""
        query = select(SurveyFollowUp).order_by(SurveyFollowUp.id)
        if not include_done:
            query = query.where(SurveyFollowUp.state == "open")
        if clients is not None:
            query = query.where(SurveyFollowUp.client_id.in_(list(clients)))
        async with self._db.session() as session:
            return [await _followup_view(session, f) for f in await session.scalars(query)]

    async def close_followup(
        self, followup_id: int, by: str, note: str = "", *, clients: Collection[int] | None = None
    ) -> FollowUpView:
        """Mark a task done; another client's than `clients` reads like a missing one."""
        async with self._db.session() as session:
            followup = await session.get(SurveyFollowUp, followup_id)
            if followup is None or (clients is not None and followup.client_id not in clients):
                raise NotFoundError(f"no survey follow-up {followup_id}")
            if followup.state != "done":
                followup.state = "done"
                followup.done_at = self._clock.now()
                followup.done_by = by[:100]
                followup.note = note.strip() or None
            return await _followup_view(session, followup)

    async def find(
        self,
        *,
        client_ref: str | None = None,
        project: str | None = None,
        clients: Collection[int] | None = None,
    ) -> list[SurveyRecord]:
        """Every survey (sent, answered or skipped), oldest first, for the report; `clients`
        narrows to those clients' surveys (None: all)."""
        query = (
            select(Survey, Project.name, Client.code)
            .join(Project, Project.id == Survey.project_id)
            .join(Client, Client.id == Survey.client_id)
            .order_by(Survey.created_at, Survey.id)
        )
        async with self._db.session() as session:
            if client_ref is not None:
                client = await client_by_ref(session, client_ref)
                query = query.where(Survey.client_id == client.id)
            if project is not None:
                query = query.where(func.lower(Project.name) == project.strip().lower())
            if clients is not None:
                query = query.where(Survey.client_id.in_(list(clients)))
            rows = (await session.execute(query)).all()
        return [
            SurveyRecord(
                kind=s.kind,
                state=s.state,
                score=s.score,
                created_at=s.created_at,
                client=code,
                project=name,
            )
            for s, name, code in rows
        ]


def _nps_key(project_id: int, round_: int) -> str:
    return f"nps:project:{project_id}:round:{round_}"


async def _answered(
    session: AsyncSession, survey: Survey, score: int, low: bool, at: datetime
) -> SurveyAnswered:
    client = await session.get_one(Client, survey.client_id)
    project = await session.get_one(Project, survey.project_id)
    contact = await _maybe(session, Contact, survey.contact_id)
    ticket = await _maybe(session, Ticket, survey.ticket_id)
    return SurveyAnswered(
        survey_id=survey.id,
        kind=survey.kind,
        score=score,
        low=low,
        client_code=client.code,
        client_name=client.name,
        project=project.name,
        ticket=await ticket_ref(session, ticket) if ticket is not None else None,
        contact=contact.handle if contact is not None else None,
        conversation_id=survey.conversation_id,
        answered_at=at,
    )


async def _maybe(session: AsyncSession, model: type[_M], ident: int | None) -> _M | None:
    return None if ident is None else await session.get(model, ident)


async def _insert(session: AsyncSession, survey: Survey) -> Survey | None:
    """Insert a survey row; when a concurrent run inserted the same key first, theirs."""
    try:
        async with session.begin_nested():
            session.add(survey)
        return survey
    except IntegrityError:
        return await session.scalar(select(Survey).where(Survey.key == survey.key))


async def _followup_view(session: AsyncSession, followup: SurveyFollowUp) -> FollowUpView:
    survey = await session.get_one(Survey, followup.survey_id)
    client = await session.get_one(Client, survey.client_id)
    project = await session.get_one(Project, survey.project_id)
    contact = await _maybe(session, Contact, survey.contact_id)
    ticket = await _maybe(session, Ticket, survey.ticket_id)
    return FollowUpView(
        id=followup.id,
        survey_id=survey.id,
        kind=survey.kind,
        score=survey.score,
        client=client.code,
        project=project.name,
        contact=contact.handle if contact else None,
        ticket=await ticket_ref(session, ticket) if ticket else None,
        comment=survey.comment,
        state=followup.state,
        summary=followup.summary,
        created_at=followup.created_at,
        done_at=followup.done_at,
        done_by=followup.done_by,
        note=followup.note,
    )
