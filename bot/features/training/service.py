"""Training sessions per project: staff schedule them, contacts register from chat, reminders
a day and an hour before, then materials and a 1-5 rating; attendance recorded by staff."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import contact_by_handle
from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.feature import JobSpec
from bot.core.i18n import Lang, say
from bot.core.localtime import parse_local, when_text
from bot.core.messages import Button, Reply
from bot.core.project_lookup import project_by_name
from bot.core.protocols import Clock, Outbox
from bot.core.quiet import WakingHours
from bot.core.reach import Recipient, push_when_awake, recipients
from bot.core.scheduler import Job, Jobs
from bot.features.training.models import TrainingAttendee, TrainingSession
from bot.features.training.phrases import PHRASES
from bot.storage.db import Database, get_or_add
from bot.storage.models import Client, Contact, Project

log = logging.getLogger(__name__)

KINDS = ("basic", "advanced", "custom")
SCHEDULED, CANCELLED = "scheduled", "cancelled"
JOB_REMIND, JOB_AFTER = "training.remind", "training.after"
LEADS = {"1d": timedelta(days=1), "1h": timedelta(hours=1)}
RATINGS = tuple(range(1, 6))
_STALE = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionView:
    id: int
    project: str
    client_code: str
    timezone: str
    kind: str
    title: str
    starts_at: datetime
    minutes: int
    link: str | None
    address: str | None
    state: str
    materials: tuple[str, ...]
    registered: int
    attended: int
    ratings: tuple[int, ...]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class AttendeeView:
    handle: str
    name: str
    registered: bool
    attended: bool | None
    rating: int | None


@dataclass(frozen=True)
class Offer:
    """An upcoming session as one contact sees it."""

    id: int
    title: str
    kind: str
    project: str
    starts_at: datetime
    link: str | None
    address: str | None
    registered: bool
    timezone: str  # the contact's own, else the project's


@dataclass(frozen=True)
class Rating:
    score: int
    accepted: bool


def check_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise InvalidInputError(f"bad link {url[:60]!r}: use a full http(s):// address")
    if len(url) > 500:
        raise InvalidInputError("links are at most 500 characters")
    return url


def place_text(link: str | None, address: str | None, lang: Lang) -> str:
    if link:
        return say(PHRASES, "online", lang, link=link)
    return say(PHRASES, "onsite", lang, address=address or "")


def _offer(
    row: TrainingSession, project: Project, registered: bool, contact: Contact | None
) -> Offer:
    """A session as `contact` sees it: times in the contact's timezone, else the project's."""
    return Offer(
        row.id,
        row.title,
        row.kind,
        project.name,
        row.starts_at,
        row.link,
        row.address,
        registered,
        (contact.timezone if contact else None) or project.timezone,
    )


def _links(session: TrainingSession) -> list[str]:
    return [str(link) for link in session.materials.get("links", [])]


class TrainingService:
    """Schedules sessions and their reminders; every message goes through the outbox."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Jobs,
        outbox: Outbox,
        waking: WakingHours,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._outbox = outbox
        self._waking = waking

    def jobs(self) -> list[JobSpec]:
        return [JobSpec(JOB_REMIND, self._on_remind), JobSpec(JOB_AFTER, self._on_after)]

    # --- staff ---------------------------------------------------------------------------

    async def add(
        self,
        project_name: str,
        kind: str,
        at: str,
        *,
        link: str | None = None,
        address: str | None = None,
        title: str | None = None,
        minutes: int = 90,
        client_ref: str | None = None,
    ) -> SessionView:
        """A new session; `at` is read in the project's timezone."""
        if kind not in KINDS:
            raise InvalidInputError(f"unknown training kind {kind!r}: use {', '.join(KINDS)}")
        if (link is None) == (address is None):
            raise InvalidInputError("give exactly one of --online URL or --address TEXT")
        if link is not None:
            link = check_url(link)
        if address is not None:
            address = address.strip()
            if not address or len(address) > 500:
                raise InvalidInputError("an address is 1 to 500 characters")
        if not 15 <= minutes <= 600:
            raise InvalidInputError("a session lasts between 15 and 600 minutes")
        now = self._clock.now()
        async with self._db.session() as session:
            project = await project_by_name(session, project_name, client_ref)
            starts_at = parse_local(at, project.timezone)
            if starts_at <= now:
                raise InvalidInputError(f"{when_text(starts_at, project.timezone)} is in the past")
            title = (title or f"{kind.title()} training: {project.name}").strip()[:200]
            row = TrainingSession(
                project_id=project.id,
                kind=kind,
                title=title,
                starts_at=starts_at,
                minutes=minutes,
                link=link,
                address=address,
                state=SCHEDULED,
                materials={"links": []},
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.flush()
            session_id = row.id
        await self._schedule_after(session_id, starts_at + timedelta(minutes=minutes))
        return await self.get(session_id)

    async def get(self, session_id: int) -> SessionView:
        async with self._db.session() as session:
            return await self._view(session, await self._session(session, session_id))

    async def sessions(self, project_name: str, client_ref: str | None = None) -> list[SessionView]:
        async with self._db.session() as session:
            project = await project_by_name(session, project_name, client_ref)
            return await self._views(session, project.id)

    async def for_project(self, project_id: int) -> list[SessionView]:
        async with self._db.session() as session:
            return await self._views(session, project_id)

    async def _views(self, session: AsyncSession, project_id: int) -> list[SessionView]:
        rows = await session.scalars(
            select(TrainingSession)
            .where(TrainingSession.project_id == project_id)
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
        return [await self._view(session, row) for row in list(rows)]

    async def attendees(self, session_id: int) -> list[AttendeeView]:
        async with self._db.session() as session:
            await self._session(session, session_id)
            rows = await session.execute(
                select(TrainingAttendee, Contact)
                .join(Contact, Contact.id == TrainingAttendee.contact_id)
                .where(TrainingAttendee.session_id == session_id)
                .order_by(Contact.handle)
            )
            return [
                AttendeeView(c.handle, c.name, a.registered_at is not None, a.attended, a.rating)
                for a, c in rows.all()
            ]

    async def add_material(self, session_id: int, url: str) -> SessionView:
        """Attach a link; once the session is over, it also goes to its participants now."""
        url = check_url(url)
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self._session(session, session_id, for_update=True)
            links = _links(row)
            if url in links:
                raise ConflictError(f"session {session_id} has that link already")
            links.append(url)
            row.materials = {"links": links}
            row.updated_at = now
            index, over = len(links), now >= row.starts_at + timedelta(minutes=row.minutes)
            people = await self._participants(session, row) if over else []
            title = row.title
        for person in people:
            text = say(PHRASES, "new_material", person.lang, title=title, links=url)
            await self._push(
                person,
                Reply(text, kind="training_material"),
                f"training:{session_id}:material:{index}",
            )
        return await self.get(session_id)

    async def set_attendance(
        self, session_id: int, contact_ref: str, attended: bool
    ) -> AttendeeView:
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self._session(session, session_id)
            project = await session.get(Project, row.project_id)
            assert project is not None
            contact = await contact_by_handle(session, contact_ref)
            if contact.client_id != project.client_id:
                raise NotFoundError(
                    f"{contact_ref!r} is not a contact of the client of {project.name}"
                )
            if now < row.starts_at:
                raise InvalidInputError(f"session {session_id} has not started yet")
            attendee = await self._attendee(session, session_id, contact.id, now)
            attendee.attended = attended
            attendee.updated_at = now
            return AttendeeView(
                contact.handle,
                contact.name,
                attendee.registered_at is not None,
                attendee.attended,
                attendee.rating,
            )

    async def move(self, session_id: int, at: str) -> SessionView:
        """A new start time (project timezone): reminders move with it; registrants are told."""
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self._session(session, session_id, for_update=True)
            self._check_open(row, now)
            project = await session.get(Project, row.project_id)
            assert project is not None
            starts_at = parse_local(at, project.timezone)
            if starts_at <= now:
                raise InvalidInputError(f"{when_text(starts_at, project.timezone)} is in the past")
            row.starts_at = starts_at
            row.updated_at = now
            contacts = await self._registered(session, session_id)
            people = await self._participants(session, row)
            title, link, address = row.title, row.link, row.address
            end = starts_at + timedelta(minutes=row.minutes)
        for contact_id in contacts:
            await self._schedule_reminders(session_id, contact_id, starts_at)
        await self._schedule_after(session_id, end)
        for person in people:
            text = say(
                PHRASES,
                "moved",
                person.lang,
                title=title,
                when=when_text(starts_at, person.timezone),
                place=place_text(link, address, person.lang),
            )
            key = f"training:{session_id}:moved:{starts_at:%Y%m%dT%H%M}"
            await self._push(person, Reply(text, kind="training_moved"), key)
        return await self.get(session_id)

    async def cancel(self, session_id: int) -> SessionView:
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self._session(session, session_id, for_update=True)
            self._check_open(row, now)
            row.state = CANCELLED
            row.updated_at = now
            people = await self._participants(session, row)
            title, starts_at = row.title, row.starts_at
        await self._scheduler.cancel_prefix(f"training:{session_id}:")
        for person in people:
            text = say(
                PHRASES,
                "cancelled",
                person.lang,
                title=title,
                when=when_text(starts_at, person.timezone),
            )
            await self._push(
                person, Reply(text, kind="training_cancelled"), f"training:{session_id}:cancelled"
            )
        return await self.get(session_id)

    # --- clients -------------------------------------------------------------------------

    async def offers(self, client_id: int, contact_id: int | None) -> list[Offer]:
        """Upcoming sessions of the client's own projects, soonest first."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(TrainingSession, Project)
                .join(Project, Project.id == TrainingSession.project_id)
                .where(
                    Project.client_id == client_id,
                    TrainingSession.state == SCHEDULED,
                    TrainingSession.starts_at > self._clock.now(),
                )
                .order_by(TrainingSession.starts_at, TrainingSession.id)
            )
            found = rows.all()
            mine: set[int] = set()
            contact = await session.get(Contact, contact_id) if contact_id is not None else None
            if contact_id is not None and found:
                mine = set(
                    await session.scalars(
                        select(TrainingAttendee.session_id).where(
                            TrainingAttendee.contact_id == contact_id,
                            TrainingAttendee.registered_at.is_not(None),
                        )
                    )
                )
        return [_offer(s, p, s.id in mine, contact) for s, p in found]

    async def register(self, session_id: int, client_id: int, contact_id: int) -> Offer:
        """Register a contact of `client_id`; repeating it changes nothing. Raises NotFoundError
        for a session that is not the client's, not upcoming, or cancelled."""
        now = self._clock.now()
        async with self._db.session() as session:
            row, project = await self._client_session(session, session_id, client_id)
            if row.state != SCHEDULED or row.starts_at <= now:
                raise NotFoundError(f"training session {session_id} is not open")
            attendee = await self._attendee(session, session_id, contact_id, now)
            if attendee.registered_at is None:
                attendee.registered_at = now
                attendee.updated_at = now
            offer = _offer(row, project, True, await session.get(Contact, contact_id))
        await self._schedule_reminders(session_id, contact_id, offer.starts_at)
        return offer

    async def rate(self, session_id: int, score: int, client_id: int, contact_id: int) -> Rating:
        """A contact's 1-5 rating; the first one counts. Rating implies attending."""
        if score not in RATINGS:
            raise InvalidInputError("a rating is 1 to 5")
        now = self._clock.now()
        async with self._db.session() as session:
            await self._client_session(session, session_id, client_id)
            attendee = await session.scalar(
                select(TrainingAttendee)
                .where(
                    TrainingAttendee.session_id == session_id,
                    TrainingAttendee.contact_id == contact_id,
                )
                .with_for_update()
            )
            if attendee is None:
                raise NotFoundError(f"no registration for session {session_id}")
            if attendee.rating is not None:
                return Rating(attendee.rating, accepted=False)
            attendee.rating = score
            attendee.rated_at = now
            if attendee.attended is None:
                attendee.attended = True
            attendee.updated_at = now
        return Rating(score, accepted=True)

    # --- jobs ----------------------------------------------------------------------------

    async def _schedule_reminders(
        self, session_id: int, contact_id: int, starts_at: datetime
    ) -> None:
        now = self._clock.now()
        for lead, before in LEADS.items():
            key = f"training:{session_id}:remind:{contact_id}:{lead}"
            due = starts_at - before
            if due <= now:
                await self._scheduler.cancel(key)
                continue
            payload = {"session": session_id, "contact": contact_id, "lead": lead}
            await self._scheduler.schedule(JOB_REMIND, payload, due, key=key, replace=True)

    async def _schedule_after(self, session_id: int, end: datetime) -> None:
        await self._scheduler.schedule(
            JOB_AFTER,
            {"session": session_id},
            end,
            key=f"training:{session_id}:after",
            replace=True,
        )

    async def _on_remind(self, job: Job) -> None:
        session_id, contact_id = int(job.payload["session"]), int(job.payload["contact"])
        lead = str(job.payload["lead"])
        async with self._db.session() as session:
            row = await session.get(TrainingSession, session_id)
            if row is None or row.state != SCHEDULED:
                return
            if abs(row.starts_at - LEADS[lead] - job.due_at) > _STALE:
                return  # moved meanwhile: the moved job carries the new time
            if contact_id not in await self._registered(session, session_id):
                return
            project = await session.get(Project, row.project_id)
            assert project is not None
            people = await recipients(
                session, project.client_id, timezone=project.timezone, contact_id=contact_id
            )
            title, starts_at, link, address = row.title, row.starts_at, row.link, row.address
        for person in people:
            text = say(
                PHRASES,
                "remind_day" if lead == "1d" else "remind_hour",
                person.lang,
                title=title,
                when=when_text(starts_at, person.timezone),
                place=place_text(link, address, person.lang),
            )
            # Quiet hours hold a reminder back only while it would still arrive in time.
            waking = self._waking.next(self._clock.now(), person.timezone)
            await self._outbox.enqueue(
                person.address,
                Reply(text, kind="training_reminder", meta={"session": str(session_id)}),
                conversation_id=person.conversation_id,
                key=f"{job.key}:{starts_at:%Y%m%dT%H%M}",
                not_before=waking if waking < starts_at else None,
            )

    async def _on_after(self, job: Job) -> None:
        session_id = int(job.payload["session"])
        async with self._db.session() as session:
            row = await session.get(TrainingSession, session_id)
            if row is None or row.state != SCHEDULED:
                return
            if self._clock.now() < row.starts_at + timedelta(minutes=row.minutes):
                return  # moved later meanwhile: the moved job runs then
            people = await self._participants(session, row)
            title, links = row.title, _links(row)
        for person in people:
            materials = (
                say(PHRASES, "materials", person.lang, links="\n".join(links)) if links else ""
            )
            text = say(PHRASES, "after", person.lang, title=title, materials=materials)
            buttons = tuple(
                Button(str(score), f"training:rate:{session_id}:{score}") for score in RATINGS
            )
            reply = Reply(
                text,
                buttons=buttons,
                kind="training_rating",
                meta={"session": str(session_id), "one_vote": "true"},
            )
            await self._push(person, reply, f"training:{session_id}:after")

    # --- helpers -------------------------------------------------------------------------

    async def _push(self, person: Recipient, reply: Reply, key: str) -> None:
        to = f"{key}:to:{person.contact_id}"
        await push_when_awake(self._outbox, self._waking, self._clock.now(), person, reply, to)

    async def _participants(self, session: AsyncSession, row: TrainingSession) -> list[Recipient]:
        """Registered contacts (unless marked absent) and anyone marked present."""
        attendees = await session.scalars(
            select(TrainingAttendee).where(TrainingAttendee.session_id == row.id)
        )
        wanted = {
            a.contact_id
            for a in attendees
            if a.attended is True or (a.registered_at is not None and a.attended is not False)
        }
        if not wanted:
            return []
        project = await session.get(Project, row.project_id)
        assert project is not None
        people = await recipients(session, project.client_id, timezone=project.timezone)
        return [p for p in people if p.contact_id in wanted]

    async def _registered(self, session: AsyncSession, session_id: int) -> list[int]:
        return list(
            await session.scalars(
                select(TrainingAttendee.contact_id)
                .where(
                    TrainingAttendee.session_id == session_id,
                    TrainingAttendee.registered_at.is_not(None),
                )
                .order_by(TrainingAttendee.contact_id)
            )
        )

    async def _attendee(
        self, session: AsyncSession, session_id: int, contact_id: int, now: datetime
    ) -> TrainingAttendee:
        query = select(TrainingAttendee).where(
            TrainingAttendee.session_id == session_id, TrainingAttendee.contact_id == contact_id
        )
        return await get_or_add(
            session,
            query,
            lambda: TrainingAttendee(
                session_id=session_id,
                contact_id=contact_id,
                registered_at=None,
                attended=None,
                rating=None,
                rated_at=None,
                updated_at=now,
            ),
        )

    async def _session(
        self, session: AsyncSession, session_id: int, *, for_update: bool = False
    ) -> TrainingSession:
        query = select(TrainingSession).where(TrainingSession.id == session_id)
        if for_update:
            query = query.with_for_update()
        row = await session.scalar(query)
        if row is None:
            raise NotFoundError(f"no training session {session_id}; see `aftercare training list`")
        return row

    async def _client_session(
        self, session: AsyncSession, session_id: int, client_id: int
    ) -> tuple[TrainingSession, Project]:
        """The session only when it belongs to a project of `client_id`."""
        found = (
            await session.execute(
                select(TrainingSession, Project)
                .join(Project, Project.id == TrainingSession.project_id)
                .where(TrainingSession.id == session_id, Project.client_id == client_id)
            )
        ).first()
        if found is None:
            raise NotFoundError(f"no training session {session_id}")
        return found[0], found[1]

    def _check_open(self, row: TrainingSession, now: datetime) -> None:
        if row.state != SCHEDULED:
            raise InvalidInputError(f"session {row.id} is {row.state}")
        if row.starts_at <= now:
            raise InvalidInputError(f"session {row.id} has started already")

    async def _view(self, session: AsyncSession, row: TrainingSession) -> SessionView:
        found = (
            await session.execute(
                select(Project, Client)
                .join(Client, Client.id == Project.client_id)
                .where(Project.id == row.project_id)
            )
        ).one()
        project, client = found[0], found[1]
        attendees = list(
            await session.scalars(
                select(TrainingAttendee).where(TrainingAttendee.session_id == row.id)
            )
        )
        return SessionView(
            id=row.id,
            project=project.name,
            client_code=client.code,
            timezone=project.timezone,
            kind=row.kind,
            title=row.title,
            starts_at=row.starts_at,
            minutes=row.minutes,
            link=row.link,
            address=row.address,
            state=row.state,
            materials=tuple(_links(row)),
            registered=sum(1 for a in attendees if a.registered_at is not None),
            attended=sum(1 for a in attendees if a.attended),
            ratings=tuple(a.rating for a in attendees if a.rating is not None),
        )
