"""The ticket service: open, act on and query tickets; status changes and SLA alerts go out
through the outbox. Staff (CLI, Slack) and the chat side use this one API."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import client_by_ref
from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.events import Events
from bot.core.i18n import Lang, lang_of, say
from bot.core.localtime import local_time
from bot.core.messages import Address, Button, Reply
from bot.core.protocols import Clock, Outbox
from bot.core.staff import StaffChannel
from bot.features.tickets.models import Ticket, TicketCounter, TicketEvent
from bot.features.tickets.phrases import PHRASES, STATUS_NAMES
from bot.features.tickets.policies import SEVERITIES, Policies
from bot.features.tickets.staff import staff_buttons
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Conversation, Project

log = logging.getLogger(__name__)

REOPEN_WINDOW = timedelta(days=14)
CATEGORIES = (
    "incident",
    "bug",
    "question",
    "change_request",
    "upgrade",
    "training",
    "data_migration",
)
_REF = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})\s*$")


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CLIENT = "waiting_on_client"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


OPEN_STATUSES = tuple(s.value for s in Status if s not in (Status.RESOLVED, Status.CLOSED))
# Staff may move a ticket to a status only from these; resolve and reopen have their own calls.
_ALLOWED_FROM: dict[Status, tuple[str, ...]] = {
    Status.ACKNOWLEDGED: (Status.NEW, Status.REOPENED),
    Status.IN_PROGRESS: OPEN_STATUSES,
    Status.WAITING_ON_CLIENT: OPEN_STATUSES,
    Status.RESOLVED: OPEN_STATUSES,
    Status.CLOSED: (*OPEN_STATUSES, Status.RESOLVED),
}


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    kind: str
    text: str | None
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketView:
    """A ticket with the names a reader needs; what every caller gets back."""

    id: int
    ref: str
    client_code: str
    client_name: str
    project: str
    timezone: str
    tier: str
    title: str
    description: str
    category: str
    severity: str
    status: str
    assignee: str | None
    reporter: str | None
    conversation_id: int | None
    created_at: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    resolution_due: datetime
    resolved_at: datetime | None
    events: tuple[EventView, ...] = field(default=(), compare=False)


DUE_SOON = timedelta(hours=1)


class SlaState(StrEnum):
    """Where an open ticket stands against its SLA targets now."""

    BREACHED = "breached"
    DUE_SOON = "due_soon"  # a target falls due within DUE_SOON


def sla_state(view: TicketView, now: datetime) -> SlaState | None:
    """An open ticket's SLA state at `now`; None when on time or no longer open."""
    if view.status not in OPEN_STATUSES:
        return None
    dues = [view.resolution_due]
    if view.first_response_at is None:
        dues.append(view.first_response_due)
    if min(dues) <= now:
        return SlaState.BREACHED
    if min(dues) <= now + DUE_SOON:
        return SlaState.DUE_SOON
    return None


@dataclass(frozen=True)
class TicketQuery:
    """Which tickets a list shows. `clients` is who may see them (None: every client); the
    others narrow it down. `statuses` None means every status."""

    clients: frozenset[int] | None = None
    client_id: int | None = None
    client_ref: str | None = None  # code or name; must name a known client
    project_id: int | None = None
    statuses: tuple[str, ...] | None = OPEN_STATUSES
    severity: str | None = None
    assignee: str | None = None
    sla: SlaState | None = None
    conversation_id: int | None = None


@dataclass(frozen=True)
class Ref:
    code: str
    number: int

    def __str__(self) -> str:
        return f"{self.code}-{self.number}"


def parse_ref(text: str) -> Ref:
    """ACME-42 (any case) → Ref; anything else is InvalidInputError."""
    match = _REF.match(text)
    if match is None:
        raise InvalidInputError(f"bad ticket number {text.strip()[:40]!r}: use the form ACME-42")
    return Ref(match.group(1).upper(), int(match.group(2)))


class TicketNotFound(NotFoundError):
    """No such ticket, or not one the asker may see: both read exactly the same."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no ticket {ref}")
        self.ref = ref


@dataclass(frozen=True)
class TicketPage:
    """Tickets newest first; `next_after` is the (created_at, id) to continue after, if more."""

    items: tuple[TicketView, ...]
    next_after: tuple[datetime, int] | None


@dataclass(frozen=True)
class TicketOpened:
    """Emitted once a ticket is filed (escalation pages a person for a P1)."""

    ticket: TicketView


@dataclass(frozen=True)
class TicketResolved:
    """Emitted once a ticket is resolved and committed (the CSAT survey is scheduled)."""

    ticket: TicketView


@dataclass(frozen=True)
class TicketUpdated:
    """Emitted once a change to a filed ticket is committed: its ticket event's `kind`
    ("status": acknowledged, resolved, reopened...; "assigned"; "comment"), who made it, its
    text and data (a status change's from and to), and the ticket as it is now."""

    ticket: TicketView
    event_id: int
    kind: str
    actor: str
    text: str | None
    data: dict[str, object] = field(default_factory=dict)


class TicketService:
    """Every ticket operation is one transaction; `client_id` scopes a call to one client.

    Other features hear of new, changed and resolved tickets as events (TicketOpened,
    TicketUpdated, TicketResolved); a listener that fails is logged and does not undo the ticket's change.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        policies: Policies,
        staff_channel: str | None = None,
        events: Events | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self.policies = policies
        self._staff = StaffChannel(outbox, staff_channel)
        self._events = events or Events()

    # --- opening -------------------------------------------------------------------------

    async def open(
        self,
        *,
        project_id: int,
        title: str,
        description: str,
        severity: str,
        category: str = "bug",
        reporter_contact_id: int | None = None,
        conversation_id: int | None = None,
        actor: str = "staff",
    ) -> TicketView:
        title, description = title.strip(), description.strip()
        if not title:
            raise InvalidInputError("a ticket needs a title")
        if severity not in SEVERITIES:
            raise InvalidInputError(f"unknown severity {severity!r}: use {', '.join(SEVERITIES)}")
        if category not in CATEGORIES:
            raise InvalidInputError(f"unknown category {category!r}: use {', '.join(CATEGORIES)}")
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None:
                raise NotFoundError(f"no project with id {project_id}")
            client_id, tier, timezone = project.client_id, project.sla_tier, project.timezone
        now = self._clock.now()
        due = self.policies.due(tier, severity, now, timezone)
        async with self._db.session() as session:
            # The counter bump comes first: on SQLite it takes the write lock straight away.
            number = await _next_number(session, client_id)
            ticket = Ticket(
                client_id=client_id,
                number=number,
                project_id=project_id,
                reporter_contact_id=reporter_contact_id,
                conversation_id=conversation_id,
                title=title[:200],
                description=description,
                category=category,
                severity=severity,
                status=Status.NEW.value,
                assignee=None,
                created_at=now,
                updated_at=now,
                first_response_due=due.first_response,
                first_response_warn_at=due.first_response_warn,
                first_response_at=None,
                resolution_due=due.resolution,
                resolution_warn_at=due.resolution_warn,
                resolved_at=None,
            )
            session.add(ticket)
            await session.flush()
            session.add(_event(ticket, now, actor, "opened", title, {"severity": severity}))
            view = await _view(session, ticket)
        await self._tell_staff(
            f"New ticket {view.ref} ({view.severity}, {view.client_name} / {view.project}): "
            f"{view.title}",
            key=f"ticket:{view.id}:opened",
            ref=view.ref,
        )
        await self._events.emit(TicketOpened(view))  # the ticket is filed whatever they do
        return view

    # --- reading -------------------------------------------------------------------------

    async def get(
        self, ref: str, client_id: int | None = None, *, clients: frozenset[int] | None = None
    ) -> TicketView:
        """One ticket with its events; another client's ticket (not `client_id`, not among
        `clients`) is 'not found', like a missing one."""
        async with self._db.session() as session:
            ticket = await _find(session, ref, client_id, clients)
            return await _view(session, ticket, with_events=True)

    async def search(
        self,
        query: TicketQuery,
        *,
        limit: int,
        offset: int = 0,
        after: tuple[datetime, int] | None = None,
    ) -> list[TicketView]:
        """Tickets newest first, in one query: a page by `offset` (the console) or continuing
        after the (created_at, id) of the previous page's last ticket (`after`, the API's
        cursor: as fast on page 1000 as on page 1)."""
        if query.statuses is not None:
            _check_statuses(query.statuses)
        if query.severity is not None and query.severity not in SEVERITIES:
            raise InvalidInputError(
                f"unknown severity {query.severity!r}: use {', '.join(SEVERITIES)}"
            )
        found = (
            select(Ticket, Client, Project, Contact)
            .join(Client, Client.id == Ticket.client_id)
            .join(Project, Project.id == Ticket.project_id)
            .outerjoin(Contact, Contact.id == Ticket.reporter_contact_id)
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .offset(offset)
            .limit(limit)
        )
        if query.clients is not None:
            found = found.where(Ticket.client_id.in_(sorted(query.clients)))
        for column, value in (
            (Ticket.client_id, query.client_id),
            (Ticket.project_id, query.project_id),
            (Ticket.severity, query.severity),
            (Ticket.assignee, query.assignee),
            (Ticket.conversation_id, query.conversation_id),
        ):
            if value is not None:
                found = found.where(column == value)
        if query.statuses is not None and set(query.statuses) == set(OPEN_STATUSES):
            found = found.where(_still_open())
        elif query.statuses is not None:
            found = found.where(Ticket.status.in_(query.statuses))
        if query.sla is not None:
            found = found.where(_still_open(), self._sla_clause(query.sla))
        if after is not None:
            at, last_id = after
            found = found.where(
                (Ticket.created_at < at) | ((Ticket.created_at == at) & (Ticket.id < last_id))
            )
        async with self._db.session() as session:
            if query.client_ref is not None:
                client = await client_by_ref(session, query.client_ref)
                found = found.where(Ticket.client_id == client.id)
            rows = await session.execute(found)
            return [_make_view(*row) for row in rows.all()]

    async def page(
        self, query: TicketQuery, *, after: tuple[datetime, int] | None = None, limit: int = 50
    ) -> TicketPage:
        """`search` a keyset page at a time; `next_after` says where the next one starts."""
        items = tuple(await self.search(query, limit=limit + 1, after=after))
        more = len(items) > limit
        items = items[:limit]
        return TicketPage(items, (items[-1].created_at, items[-1].id) if more and items else None)

    def _sla_clause(self, state: SlaState) -> ColumnElement[bool]:
        now = self._clock.now()

        def due_by(at: datetime) -> ColumnElement[bool]:
            return or_(
                and_(Ticket.first_response_at.is_(None), Ticket.first_response_due <= at),
                Ticket.resolution_due <= at,
            )

        if state is SlaState.BREACHED:
            return due_by(now)
        return and_(due_by(now + DUE_SOON), not_(due_by(now)))

    async def find(
        self,
        client_id: int | None = None,
        *,
        client_ref: str | None = None,
        statuses: tuple[str, ...] | None = None,
        since: datetime | None = None,
        limit: int | None = 200,
    ) -> list[TicketView]:
        """Tickets, newest first; `client_ref` (code or name) must name a known client."""
        query: Select[Ticket] = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())
        if statuses is not None:
            _check_statuses(statuses)
            query = query.where(Ticket.status.in_(statuses))
        if client_id is not None:
            query = query.where(Ticket.client_id == client_id)
        if since is not None:
            query = query.where(Ticket.created_at >= since)
        if limit is not None:
            query = query.limit(limit)
        async with self._db.session() as session:
            if client_ref is not None:
                client = await client_by_ref(session, client_ref)
                query = query.where(Ticket.client_id == client.id)
            tickets = list(await session.scalars(query))
            return [await _view(session, t) for t in tickets]

    async def recent_by_contact(self, contact_id: int, since: datetime) -> list[TicketView]:
        query = select(Ticket).where(
            Ticket.reporter_contact_id == contact_id,
            Ticket.created_at >= since,
            Ticket.status.in_(OPEN_STATUSES),
        )
        async with self._db.session() as session:
            return [await _view(session, t) for t in await session.scalars(query)]

    # --- staff actions ---------------------------------------------------------------------

    async def acknowledge(self, ref: str, actor: str) -> TicketView:
        return await self.set_status(ref, Status.ACKNOWLEDGED.value, actor)

    async def assign(self, ref: str, assignee: str, actor: str) -> TicketView:
        assignee = assignee.strip()
        if not assignee:
            raise InvalidInputError("say who the ticket is assigned to")
        async with self._db.session() as session:
            ticket = await _find(session, ref, None)
            now = self._clock.now()
            before = ticket.assignee
            ticket.assignee = assignee[:100]
            ticket.updated_at = now
            event = _event(ticket, now, actor, "assigned", assignee, {"from": before})
            session.add(event)
            await session.flush()
            view = await _view(session, ticket)
        await self._updated(view, event)
        return view

    async def set_status(self, ref: str, status: str, actor: str, note: str = "") -> TicketView:
        try:
            target = Status(status)
        except ValueError:
            allowed = ", ".join(s.value for s in _ALLOWED_FROM)
            raise InvalidInputError(f"unknown status {status!r}: use {allowed}") from None
        if target not in _ALLOWED_FROM:
            raise InvalidInputError(f"status {status} is set by its own action (reopen), not here")
        async with self._db.session() as session:
            ticket = await _find(session, ref, None)
            if ticket.status not in _ALLOWED_FROM[target]:
                raise ConflictError(
                    f"{await ticket_ref(session, ticket)} is {ticket.status}; it cannot become {status}"
                )
            now = self._clock.now()
            event = _change_status(ticket, target, now, actor, note)
            session.add(event)
            await session.flush()
            view = await _view(session, ticket)
            conversation = await _conversation(session, ticket)
            lang = await _reporter_lang(session, ticket)
        if conversation is not None:
            text = say(
                PHRASES,
                "push_status",
                lang,
                ref=view.ref,
                title=view.title,
                status=say(STATUS_NAMES, view.status, lang),
                note=f"\n{note.strip()}" if note.strip() else "",
            )
            await self._push(conversation, view, text, f"ticket:{view.id}:event:{event.id}", lang)
        await self._updated(view, event)
        if target is Status.RESOLVED:
            await self._events.emit(TicketResolved(view))
        return view

    async def resolve(self, ref: str, actor: str, note: str = "") -> TicketView:
        return await self.set_status(ref, Status.RESOLVED.value, actor, note)

    async def comment(
        self, ref: str, text: str, actor: str, *, client_id: int | None = None
    ) -> TicketView:
        """A comment. From a client (`client_id` set) it tells staff; from staff, the client."""
        text = text.strip()
        if not text:
            raise InvalidInputError("a comment needs some text")
        async with self._db.session() as session:
            ticket = await _find(session, ref, client_id)
            now = self._clock.now()
            from_staff = client_id is None
            if from_staff and ticket.first_response_at is None:
                ticket.first_response_at = now
            ticket.updated_at = now
            event = _event(ticket, now, actor, "comment", text, {"staff": from_staff})
            session.add(event)
            await session.flush()
            view = await _view(session, ticket)
            conversation = await _conversation(session, ticket) if from_staff else None
            lang = await _reporter_lang(session, ticket)
        if conversation is not None:
            body = say(
                PHRASES, "push_comment", lang, who=actor, ref=view.ref, title=view.title, text=text
            )
            await self._push(conversation, view, body, f"ticket:{view.id}:event:{event.id}", lang)
        elif not from_staff:
            await self._tell_staff(
                f"{actor} commented on {view.ref}: {text[:500]}",
                key=f"ticket:{view.id}:event:{event.id}",
                ref=view.ref,
            )
        await self._updated(view, event)
        return view

    async def reopen(
        self, ref: str, actor: str, client_id: int | None, reason: str = ""
    ) -> TicketView:
        """Reopen a resolved or closed ticket within 14 days of its resolution."""
        async with self._db.session() as session:
            ticket = await _find(session, ref, client_id)
            shown = await ticket_ref(session, ticket)
            if ticket.status not in (Status.RESOLVED, Status.CLOSED) or ticket.resolved_at is None:
                raise ConflictError(
                    f"{shown} is still open ({ticket.status}); add a comment instead"
                )
            now = self._clock.now()
            if now - ticket.resolved_at > REOPEN_WINDOW:
                raise ConflictError(
                    f"{shown} was resolved more than 14 days ago; please open a new ticket"
                )
            project = await session.get_one(Project, ticket.project_id)
            due = self.policies.due(project.sla_tier, ticket.severity, now, project.timezone)
            ticket.resolution_due, ticket.resolution_warn_at = due.resolution, due.resolution_warn
            ticket.resolved_at = None
            event = _change_status(ticket, Status.REOPENED, now, actor, reason)
            session.add(event)
            await session.flush()
            view = await _view(session, ticket)
        await self._tell_staff(
            f"{actor} reopened {view.ref}: {view.title}"
            + (f" ({reason.strip()})" if reason.strip() else ""),
            key=f"ticket:{view.id}:event:{event.id}",
            ref=view.ref,
        )
        await self._updated(view, event)
        return view

    # --- SLA -----------------------------------------------------------------------------

    async def check_sla(self, now: datetime | None = None) -> list[str]:
        """Record (once) each 80% warning and breach due by `now`; tell staff. Safe to repeat."""
        now = now or self._clock.now()
        alerts: list[tuple[str, str, str]] = []
        async with self._db.session() as session:
            query = select(Ticket).where(
                Ticket.status.in_(OPEN_STATUSES),
                (Ticket.first_response_warn_at <= now) | (Ticket.resolution_warn_at <= now),
            )
            if self._db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for ticket in list(await session.scalars(query)):
                done = {
                    (e.kind, str((e.data or {}).get("due")))
                    for e in await session.scalars(
                        select(TicketEvent).where(
                            TicketEvent.ticket_id == ticket.id,
                            TicketEvent.kind.in_(("sla_warning", "sla_breach")),
                        )
                    )
                }
                shown = await ticket_ref(session, ticket)
                for target, warn_at, due_at, met in (
                    (
                        "first_response",
                        ticket.first_response_warn_at,
                        ticket.first_response_due,
                        ticket.first_response_at,
                    ),
                    (
                        "resolution",
                        ticket.resolution_warn_at,
                        ticket.resolution_due,
                        ticket.resolved_at,
                    ),
                ):
                    if met is not None:
                        continue
                    for kind, at in (("sla_warning", warn_at), ("sla_breach", due_at)):
                        key = (kind, due_at.isoformat())
                        if at > now or key in done:
                            continue
                        if kind == "sla_warning" and now >= due_at:
                            continue  # straight to the breach; a late warning says nothing new
                        what = "reached 80% of" if kind == "sla_warning" else "BREACHED"
                        message = (
                            f"SLA: {shown} ({ticket.severity}) {what} its "
                            f"{target.replace('_', ' ')} target, due {due_at:%Y-%m-%d %H:%M} UTC: "
                            f"{ticket.title}"
                        )
                        session.add(
                            _event(
                                ticket, now, "sla", kind, message, {"target": target, "due": key[1]}
                            )
                        )
                        done.add(key)
                        alerts.append((message, f"sla:{ticket.id}:{kind}:{target}:{key[1]}", shown))
        for message, outbox_key, ref in alerts:
            await self._tell_staff(message, key=outbox_key, ref=ref)
        return [message for message, _, _ in alerts]

    async def sweep_waiting(self, remind_after: timedelta, close_after: timedelta) -> list[str]:
        """Remind clients whose tickets wait on them, and close tickets that waited too long.

        Safe to repeat: each waiting period gets one reminder (an outbox key per status event).
        Returns what was done, one line per ticket.
        """
        now = self._clock.now()
        reminders: list[tuple[Conversation, TicketView, str, Lang, datetime]] = []
        closing: list[tuple[str, Lang]] = []
        async with self._db.session() as session:
            waiting = await session.scalars(
                select(Ticket).where(Ticket.status == Status.WAITING_ON_CLIENT)
            )
            for ticket in list(waiting):
                since = await session.scalar(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "status")
                    .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
                    .limit(1)
                )
                started = since.at if since is not None else ticket.updated_at
                lang = await _reporter_lang(session, ticket)
                if now - started >= close_after:
                    closing.append((await ticket_ref(session, ticket), lang))
                    continue
                conversation = await _conversation(session, ticket)
                if now - started >= remind_after and conversation is not None:
                    key = f"ticket:{ticket.id}:waiting:{since.id if since else 0}:reminder"
                    view = await _view(session, ticket)
                    reminders.append((conversation, view, key, lang, started + close_after))
        done: list[str] = []
        for conversation, view, key, lang, close_at in reminders:
            text = say(
                PHRASES,
                "waiting_reminder",
                lang,
                ref=view.ref,
                title=view.title,
                date=local_time(close_at, view.timezone),
            )
            if await self._push(conversation, view, text, key, lang):
                done.append(f"{view.ref}: reminded")
        days = f"{close_after / timedelta(days=1):g}"
        for ref, lang in closing:
            note = say(PHRASES, "auto_closed", lang, days=days)
            await self.set_status(ref, Status.CLOSED, "aftercare", note)
            done.append(f"{ref}: closed after {days} days waiting")
        return done

    # --- delivery ------------------------------------------------------------------------

    async def _updated(self, view: TicketView, event: TicketEvent) -> None:
        """Announce a committed change (the ticket is changed whatever the listeners do)."""
        await self._events.emit(
            TicketUpdated(
                view, event.id, event.kind, event.actor, event.text, dict(event.data or {})
            )
        )

    async def _push(
        self, conversation: Conversation, view: TicketView, text: str, key: str, lang: Lang
    ) -> bool:
        number = view.ref.split("-", 1)[1]
        reply = Reply(
            text,
            buttons=(Button(say(PHRASES, "add_comment", lang), f"ticket:cm:{number}"),),
            kind="ticket_update",
            meta={"ticket": view.ref},
        )
        address = Address(
            conversation.channel,
            conversation.workspace_id,
            conversation.chat_id,
            conversation.thread_id,
        )
        return await self._outbox.enqueue(address, reply, conversation_id=conversation.id, key=key)

    async def _tell_staff(self, text: str, *, key: str, ref: str) -> None:
        """Post to the staff channel, in the ticket's own thread (one per ticket)."""
        await self._staff.post(
            text,
            kind="ticket_staff",
            key=key,
            thread=f"ticket:{ref}",
            buttons=staff_buttons(ref),
            meta={"ticket": ref},
        )


def _check_statuses(statuses: tuple[str, ...]) -> None:
    unknown = set(statuses) - {s.value for s in Status}
    if unknown:
        raise InvalidInputError(
            f"unknown status {sorted(unknown)[0]!r}: use {', '.join(s.value for s in Status)}"
        )


async def _next_number(session: AsyncSession, client_id: int) -> int:
    bump = (
        update(TicketCounter)
        .where(TicketCounter.client_id == client_id)
        .values(last_number=TicketCounter.last_number + 1)
        .returning(TicketCounter.last_number)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is not None:
        return int(number)
    try:
        async with session.begin_nested():
            session.add(TicketCounter(client_id=client_id, last_number=1))
        return 1
    except IntegrityError:
        # Another transaction created the counter first; bump theirs (its row lock orders us).
        return int((await session.execute(bump)).scalar_one())


def _still_open() -> ColumnElement[bool]:
    """Open tickets as "not finished": the planner then walks the newest-first index instead
    of collecting every open ticket by status and sorting them (SQLite has no statistics)."""
    return Ticket.status.not_in((Status.RESOLVED.value, Status.CLOSED.value))


async def _find(
    session: AsyncSession,
    ref: str,
    client_id: int | None,
    clients: frozenset[int] | None = None,
) -> Ticket:
    try:
        parsed = parse_ref(ref)
    except InvalidInputError:
        if client_id is not None or clients is not None:
            raise TicketNotFound(ref.strip()[:40]) from None
        raise
    ticket = await session.scalar(
        select(Ticket)
        .join(Client, Client.id == Ticket.client_id)
        .where(Client.code == parsed.code, Ticket.number == parsed.number)
    )
    if (
        ticket is None
        or (client_id is not None and ticket.client_id != client_id)
        or (clients is not None and ticket.client_id not in clients)
    ):
        raise TicketNotFound(str(parsed))
    return ticket


async def ticket_ref(session: AsyncSession, ticket: Ticket) -> str:
    """A ticket's number as clients see it, e.g. ACME-7."""
    client = await session.get_one(Client, ticket.client_id)
    return f"{client.code}-{ticket.number}"


async def _conversation(session: AsyncSession, ticket: Ticket) -> Conversation | None:
    if ticket.conversation_id is None:
        return None
    return await session.get(Conversation, ticket.conversation_id)


async def _reporter_lang(session: AsyncSession, ticket: Ticket) -> Lang:
    if ticket.reporter_contact_id is None:
        return "en"
    contact = await session.get(Contact, ticket.reporter_contact_id)
    return lang_of(contact.lang if contact else None)


def _event(
    ticket: Ticket, at: datetime, actor: str, kind: str, text: str | None, data: dict[str, object]
) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket.id, at=at, actor=actor[:100], kind=kind, text=text, data=data
    )


def _change_status(
    ticket: Ticket, target: Status, now: datetime, actor: str, note: str
) -> TicketEvent:
    before = ticket.status
    ticket.status = target.value
    ticket.updated_at = now
    if target is not Status.REOPENED and ticket.first_response_at is None:
        ticket.first_response_at = now
    if target in (Status.RESOLVED, Status.CLOSED) and ticket.resolved_at is None:
        ticket.resolved_at = now
    return _event(
        ticket, now, actor, "status", note.strip() or None, {"from": before, "to": target.value}
    )


async def _view(session: AsyncSession, ticket: Ticket, *, with_events: bool = False) -> TicketView:
    client = await session.get_one(Client, ticket.client_id)
    project = await session.get_one(Project, ticket.project_id)
    reporter = (
        await session.get(Contact, ticket.reporter_contact_id)
        if ticket.reporter_contact_id
        else None
    )
    events: tuple[EventView, ...] = ()
    if with_events:
        rows = await session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
        events = tuple(EventView(e.at, e.actor, e.kind, e.text, dict(e.data or {})) for e in rows)
    return _make_view(ticket, client, project, reporter, events)


def _make_view(
    ticket: Ticket,
    client: Client,
    project: Project,
    reporter: Contact | None,
    events: tuple[EventView, ...] = (),
) -> TicketView:
    return TicketView(
        id=ticket.id,
        ref=f"{client.code}-{ticket.number}",
        client_code=client.code,
        client_name=client.name,
        project=project.name,
        timezone=project.timezone,
        tier=project.sla_tier,
        title=ticket.title,
        description=ticket.description,
        category=ticket.category,
        severity=ticket.severity,
        status=ticket.status,
        assignee=ticket.assignee,
        reporter=reporter.handle if reporter else None,
        conversation_id=ticket.conversation_id,
        created_at=ticket.created_at,
        first_response_due=ticket.first_response_due,
        first_response_at=ticket.first_response_at,
        resolution_due=ticket.resolution_due,
        resolved_at=ticket.resolved_at,
        events=events,
    )
