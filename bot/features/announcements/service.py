"""Announcements: staff notices (upgrade window, security patch, new feature) to every contact
of a project's client, of one client, or of all clients; sent now or at a set time, within
each contact's waking hours, with per-contact delivery state and an "Understood" button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import client_by_ref
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.feature import JobSpec
from bot.core.i18n import say
from bot.core.localtime import parse_local, when_text
from bot.core.messages import Button, Reply
from bot.core.outbox import FAILED, SENT
from bot.core.project_lookup import project_by_name
from bot.core.protocols import Clock, Outbox
from bot.core.quiet import WakingHours
from bot.core.reach import push_when_awake, recipients
from bot.core.scheduler import Job, Jobs
from bot.features.announcements.models import Announcement, AnnouncementDelivery
from bot.features.announcements.phrases import PHRASES
from bot.storage.db import Database, get_or_add
from bot.storage.models import Client, Contact, OutboxItem, Project

KINDS = ("upgrade", "security", "feature")
JOB_SEND = "announce.send"
SCHEDULED, QUEUED, CANCELLED = "scheduled", "queued", "cancelled"
MAX_TEXT = 4000


@dataclass(frozen=True)
class AnnouncementView:
    id: int
    scope: str
    target: str  # the project or client name, or "every client"
    kind: str
    text: str
    send_at: datetime
    state: str
    timezone: str


@dataclass(frozen=True)
class DeliveryView:
    client: str
    handle: str
    name: str
    state: str  # queued | sent | failed | acknowledged
    queued_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None


class Announcements:
    """Creates notices, fans them out through the outbox, records acknowledgements."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Jobs,
        outbox: Outbox,
        waking: WakingHours,
        default_timezone: str,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._outbox = outbox
        self._waking = waking
        self._default_timezone = default_timezone

    def jobs(self) -> list[JobSpec]:
        return [JobSpec(JOB_SEND, self._on_send)]

    # --- staff ---------------------------------------------------------------------------

    async def create(
        self,
        kind: str,
        text: str,
        *,
        project: str | None = None,
        client: str | None = None,
        everyone: bool = False,
        at: str | None = None,
    ) -> AnnouncementView:
        """A notice to the contacts of `project`'s client (`client` disambiguates), of
        `client`, or of `everyone`; at `at` (the project's timezone, else the default one)
        or now. Contacts get it in their waking hours."""
        if kind not in KINDS:
            raise InvalidInputError(f"unknown kind {kind!r}: use {', '.join(KINDS)}")
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise InvalidInputError(f"the text is 1 to {MAX_TEXT} characters")
        if sum((project is not None, client is not None and project is None, everyone)) != 1:
            raise InvalidInputError("give exactly one of --project NAME, --client NAME or --all")
        now = self._clock.now()
        async with self._db.session() as session:
            project_row = client_row = None
            if project is not None:
                project_row = await project_by_name(session, project, client)
                timezone = project_row.timezone
            elif client is not None:
                client_row = await client_by_ref(session, client)
                timezone = self._default_timezone
            else:
                timezone = self._default_timezone
            send_at = now if at is None else parse_local(at, timezone)
            if send_at < now:
                raise InvalidInputError(f"{when_text(send_at, timezone)} is in the past")
            row = Announcement(
                scope="project" if project_row else "client" if client_row else "all",
                client_id=(project_row.client_id if project_row else None)
                or (client_row.id if client_row else None),
                project_id=project_row.id if project_row else None,
                kind=kind,
                text=text,
                send_at=send_at,
                state=SCHEDULED,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            announcement_id = row.id
        if at is None:
            await self.send(announcement_id)
        else:
            await self._scheduler.schedule(
                JOB_SEND, {"announcement": announcement_id}, send_at, key=_key(announcement_id)
            )
        return await self.get(announcement_id)

    async def cancel(self, announcement_id: int) -> AnnouncementView:
        """Call off a notice that has not gone out yet."""
        async with self._db.session() as session:
            row = await self._row(session, announcement_id)
            if row.state != SCHEDULED:
                raise InvalidInputError(f"announcement {announcement_id} is {row.state} already")
            row.state = CANCELLED
        await self._scheduler.cancel(_key(announcement_id))
        return await self.get(announcement_id)

    async def get(self, announcement_id: int) -> AnnouncementView:
        async with self._db.session() as session:
            return await self._view(session, await self._row(session, announcement_id))

    async def recent(self, limit: int = 50) -> list[AnnouncementView]:
        async with self._db.session() as session:
            rows = await session.scalars(
                select(Announcement).order_by(Announcement.id.desc()).limit(limit)
            )
            return [await self._view(session, row) for row in list(rows)]

    async def deliveries(self, announcement_id: int) -> list[DeliveryView]:
        """Each contact's copy: queued, sent (by the outbox), failed or acknowledged."""
        async with self._db.session() as session:
            await self._row(session, announcement_id)
            rows = await session.execute(
                select(AnnouncementDelivery, Contact, Client, OutboxItem)
                .join(Contact, Contact.id == AnnouncementDelivery.contact_id)
                .join(Client, Client.id == AnnouncementDelivery.client_id)
                .outerjoin(
                    OutboxItem, OutboxItem.idempotency_key == AnnouncementDelivery.outbox_key
                )
                .where(AnnouncementDelivery.announcement_id == announcement_id)
                .order_by(Client.code, Contact.handle)
            )
            found = []
            for delivery, contact, client, item in rows.all():
                state = "queued"
                if delivery.acknowledged_at is not None:
                    state = "acknowledged"
                elif item is not None and item.state in (SENT, FAILED):
                    state = item.state
                found.append(
                    DeliveryView(
                        client.code,
                        contact.handle,
                        contact.name,
                        state,
                        delivery.queued_at,
                        item.sent_at if item is not None else None,
                        delivery.acknowledged_at,
                    )
                )
            return found

    # --- sending -------------------------------------------------------------------------

    async def _on_send(self, job: Job) -> None:
        await self.send(int(job.payload["announcement"]))

    async def send(self, announcement_id: int) -> int:
        """Queue the notice for every reachable contact in scope; safe to repeat (one delivery
        row and one outbox row per contact). Returns how many contacts it was queued for."""
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self._row(session, announcement_id)
            if row.state == CANCELLED:
                return 0
            row.state = QUEUED
            project = await session.get(Project, row.project_id) if row.project_id else None
            if row.client_id is not None:
                client_ids = [row.client_id]
            else:
                client_ids = list(await session.scalars(select(Client.id).order_by(Client.id)))
            people = []
            for client_id in client_ids:
                zone = project.timezone if project else await _client_zone(session, client_id)
                for person in await recipients(
                    session, client_id, timezone=zone or self._default_timezone
                ):
                    delivery = await _delivery(
                        session, row.id, person.contact_id, person.client_id, now
                    )
                    people.append((person, delivery.id, delivery.outbox_key))
            kind, text = row.kind, row.text
            title = project.name if project else None
        for person, delivery_id, key in people:
            heading = say(PHRASES, kind, person.lang) + (f" · {title}" if title else "")
            reply = Reply(
                f"{heading}\n{text}",
                buttons=(
                    Button(say(PHRASES, "understood", person.lang), f"announce:ack:{delivery_id}"),
                ),
                kind="announcement",
                meta={"announcement": str(announcement_id), "one_vote": "true"},
            )
            await push_when_awake(self._outbox, self._waking, now, person, reply, key)
        return len(people)

    async def acknowledge(self, delivery_id: int, contact_id: int) -> bool | None:
        """True when recorded now, False when it was already; None for a delivery that is not
        this contact's."""
        async with self._db.session() as session:
            delivery = await session.scalar(
                select(AnnouncementDelivery)
                .where(
                    AnnouncementDelivery.id == delivery_id,
                    AnnouncementDelivery.contact_id == contact_id,
                )
                .with_for_update()
            )
            if delivery is None:
                return None
            if delivery.acknowledged_at is not None:
                return False
            delivery.acknowledged_at = self._clock.now()
            return True

    # --- helpers -------------------------------------------------------------------------

    async def _row(self, session: AsyncSession, announcement_id: int) -> Announcement:
        row = await session.get(Announcement, announcement_id)
        if row is None:
            raise NotFoundError(f"no announcement {announcement_id}; see `aftercare announce list`")
        return row

    async def _view(self, session: AsyncSession, row: Announcement) -> AnnouncementView:
        target, timezone = "every client", self._default_timezone
        if row.project_id is not None:
            project = await session.get(Project, row.project_id)
            if project is not None:
                target, timezone = project.name, project.timezone
        elif row.client_id is not None:
            client = await session.get(Client, row.client_id)
            target = client.name if client else "?"
        return AnnouncementView(
            row.id, row.scope, target, row.kind, row.text, row.send_at, row.state, timezone
        )


def _key(announcement_id: int) -> str:
    return f"announce:{announcement_id}"


async def _client_zone(session: AsyncSession, client_id: int) -> str | None:
    """A client's fallback timezone: its first project's."""
    return await session.scalar(
        select(Project.timezone).where(Project.client_id == client_id).order_by(Project.id).limit(1)
    )


async def _delivery(
    session: AsyncSession, announcement_id: int, contact_id: int, client_id: int, now: datetime
) -> AnnouncementDelivery:
    query = select(AnnouncementDelivery).where(
        AnnouncementDelivery.announcement_id == announcement_id,
        AnnouncementDelivery.contact_id == contact_id,
    )
    return await get_or_add(
        session,
        query,
        lambda: AnnouncementDelivery(
            announcement_id=announcement_id,
            contact_id=contact_id,
            client_id=client_id,
            outbox_key=f"{_key(announcement_id)}:to:{contact_id}",
            queued_at=now,
            acknowledged_at=None,
        ),
    )
