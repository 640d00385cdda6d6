"""Handover and acceptance: a checklist per project from a YAML template; staff tick items, the
client confirms them (or reports a problem, which opens a ticket); when every item is confirmed
the project is accepted through Directory.update_project, so follow-ups re-anchor to acceptance."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import Directory, ProjectChange, client_by_ref, projects_of_client
from bot.core.errors import ConfigError, InvalidInputError, NotFoundError
from bot.core.events import ProjectChanged
from bot.core.i18n import Lang
from bot.core.protocols import Clock, Outbox
from bot.core.staff import StaffChannel
from bot.features.handover.models import HandoverEvent, HandoverItem
from bot.features.tickets.models import Ticket
from bot.features.tickets.service import TicketService, TicketView, ticket_ref
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Project

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).with_name("template.yaml")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class TemplateItem:
    key: str
    title_en: str
    title_zh: str
    due_days: int


def load_template(path: Path | None = None) -> tuple[TemplateItem, ...]:
    """Read a checklist template (default: the packaged one); every mistake names the file."""
    source = path or DEFAULT_TEMPLATE
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read handover template {source}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    try:
        return _parse_template(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _parse_template(raw: Any) -> tuple[TemplateItem, ...]:
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list) or not raw["items"]:
        raise ValueError("expected an 'items' list with at least one item")
    items: list[TemplateItem] = []
    for number, spec in enumerate(raw["items"], start=1):
        if not isinstance(spec, dict):
            raise ValueError(f"item {number} must be a mapping with key, title and due_days")
        key = str(spec["key"])
        if not _KEY.match(key):
            raise ValueError(f"item {number}: bad key {key!r} (lower-case letters, digits, '_')")
        if any(item.key == key for item in items):
            raise ValueError(f"item {number}: key {key!r} is used twice")
        title = spec["title"]
        en, zh = (title, title) if isinstance(title, str) else (title["en"], title.get("zh"))
        if not str(en).strip():
            raise ValueError(f"item {key}: the title is empty")
        days = int(spec["due_days"])
        if not 0 <= days <= 3650:
            raise ValueError(f"item {key}: due_days must be between 0 and 3650")
        items.append(TemplateItem(key, str(en).strip(), str(zh or en).strip(), days))
    return tuple(items)


@dataclass(frozen=True)
class ItemView:
    id: int
    key: str
    position: int
    title_en: str
    title_zh: str
    due_on: date
    ticked_at: datetime | None
    ticked_by: str | None
    confirmed_at: datetime | None
    confirmed_by: str | None
    ticket: str | None

    def title(self, lang: Lang) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def overdue(self, today: date) -> bool:
        return self.confirmed_at is None and self.due_on < today


@dataclass(frozen=True)
class HandoverEventView:
    at: datetime
    actor: str
    kind: str
    item: str | None
    note: str | None


@dataclass(frozen=True)
class ChecklistView:
    project_id: int
    client_id: int
    client_code: str
    client_name: str
    project: str
    timezone: str
    sla_tier: str
    delivered_on: date
    accepted_on: date | None
    warranty_until: date | None
    items: tuple[ItemView, ...]
    events: tuple[HandoverEventView, ...] = ()

    @property
    def confirmed(self) -> int:
        return sum(1 for item in self.items if item.confirmed_at is not None)

    def next_open(self) -> ItemView | None:
        return next((item for item in self.items if item.confirmed_at is None), None)


@dataclass(frozen=True)
class Confirmation:
    """What a client's confirmation did: `accepted_on` is set when it completed the checklist."""

    item: ItemView
    checklist: ChecklistView
    accepted_on: date | None
    already: bool


class HandoverService:
    """Checklist operations, each one transaction; `client_id` scopes a call to one client
    (another client's project or item reads exactly like a missing one)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        directory: Directory,
        tickets: TicketService,
        template: Sequence[TemplateItem],
        staff_channel: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._directory = directory
        self._tickets = tickets
        self.template = tuple(template)
        self._staff = StaffChannel(outbox, staff_channel)

    # --- the checklist -----------------------------------------------------------------------

    async def project_changed(self, event: ProjectChanged) -> None:
        """Make the checklist of a new project; move open items' due dates when the delivery
        date changes."""
        project_id = event.project_id
        async with self._db.session() as session:
            project = await session.get(Project, project_id)
            if project is None:
                return
            await self._ensure(session, project)
            for item in await _items(session, project_id):
                if item.confirmed_at is None:
                    item.due_on = project.delivered_on + timedelta(days=item.due_days)

    async def project_id(self, ref: str, client_ref: str | None = None) -> int:
        """A project by name (`Portal`), client-qualified name (`ACME/Portal`) or `--client`."""
        qualified, _, bare = ref.strip().rpartition("/")
        client_ref = client_ref or qualified or None
        async with self._db.session() as session:
            query = select(Project).where(func.lower(Project.name) == bare.strip().lower())
            if client_ref:
                client = await client_by_ref(session, client_ref)
                query = query.where(Project.client_id == client.id)
            found = list(await session.scalars(query.limit(2)))
        if not found:
            raise NotFoundError(f"no project {ref.strip()!r}; see `aftercare project list`")
        if len(found) > 1:
            raise InvalidInputError(
                f"several clients have a project {bare.strip()!r}: write CLIENT/{bare.strip()}"
            )
        return found[0].id

    async def projects_of(self, client_id: int) -> list[tuple[int, str]]:
        async with self._db.session() as session:
            return [(p.id, p.name) for p in await projects_of_client(session, client_id)]

    async def checklist(
        self, project_id: int, client_id: int | None = None, *, with_events: bool = False
    ) -> ChecklistView:
        async with self._db.session() as session:
            project = await _own_project(session, project_id, client_id)
            await self._ensure(session, project)
            return await _checklist(session, project, with_events=with_events)

    async def item(self, item_id: int, client_id: int | None = None) -> ItemView:
        async with self._db.session() as session:
            item = await _own_item(session, item_id, client_id)
            return await _item_view(session, item)

    async def tick(self, project_id: int, item_ref: str, by: str) -> ItemView:
        """Staff mark an item done on their side (the client still confirms it)."""
        by = by.strip()
        if not by:
            raise InvalidInputError("say who ticked the item: --by NAME")
        async with self._db.session() as session:
            project = await _own_project(session, project_id, None)
            await self._ensure(session, project)
            item = _pick(await _items(session, project_id), item_ref)
            if item.ticked_at is None:
                item.ticked_at = self._clock.now()
                item.ticked_by = by[:100]
                session.add(self._event(item, by, "ticked"))
            return await _item_view(session, item)

    async def untick(self, project_id: int, item_ref: str, by: str) -> ItemView:
        """Take back a staff tick (ticked by mistake); an item the client confirmed stays."""
        by = by.strip()
        if not by:
            raise InvalidInputError("say who unticked the item: --by NAME")
        async with self._db.session() as session:
            project = await _own_project(session, project_id, None)
            await self._ensure(session, project)
            item = _pick(await _items(session, project_id), item_ref)
            if item.confirmed_at is not None:
                raise InvalidInputError(
                    f"item {item.key} is confirmed by the client already; it stays ticked"
                )
            if item.ticked_at is not None:
                item.ticked_at = None
                item.ticked_by = None
                session.add(self._event(item, by, "unticked"))
            return await _item_view(session, item)

    async def confirm(
        self, item_id: int, *, client_id: int, contact_id: int | None, by: str
    ) -> Confirmation:
        """The client confirms an item; the last confirmation accepts the project."""
        async with self._db.session() as session:
            item = await _own_item(session, item_id, client_id)
            project = await _locked_project(session, self._db, item.project_id)
            already = item.confirmed_at is not None
            if not already:
                item.confirmed_at = self._clock.now()
                item.confirmed_by = by[:200]
                item.confirmed_contact_id = contact_id
                session.add(self._event(item, by, "confirmed", contact_id=contact_id))
            accepting = False
            if project.accepted_on is None and all(
                i.confirmed_at is not None for i in await _items(session, project.id)
            ):
                accepting = await _claim_acceptance(session, project.id)
                if accepting:
                    session.add(
                        HandoverEvent(
                            project_id=project.id,
                            item_id=None,
                            at=self._clock.now(),
                            actor=by[:200],
                            kind="accepted",
                            contact_id=contact_id,
                        )
                    )
            project_id = project.id
        accepted_on = await self._accept(project_id) if accepting else None
        async with self._db.session() as session:
            project = await session.get_one(Project, project_id)
            view = await _checklist(session, project)
            item_view = await _item_view(session, await session.get_one(HandoverItem, item_id))
        return Confirmation(item_view, view, accepted_on, already)

    async def problem(
        self,
        item_id: int,
        text: str,
        *,
        client_id: int,
        contact_id: int | None,
        conversation_id: int | None,
        by: str,
    ) -> TicketView:
        """The client reports a problem with an item: a ticket that names the item."""
        text = text.strip()
        if len(text) < 3:
            raise InvalidInputError("describe the problem in a few words")
        async with self._db.session() as session:
            item = await _own_item(session, item_id, client_id)
            project = await session.get_one(Project, item.project_id)
            title, key, project_id, project_name = item.title_en, item.key, project.id, project.name
        ticket = await self._tickets.open(
            project_id=project_id,
            title=f"Handover: {title}",
            description=f"{text}\n\n(Handover checklist item '{key}' of {project_name})",
            severity="P3",
            category="data_migration" if key == "data_migration" else "bug",
            reporter_contact_id=contact_id,
            conversation_id=conversation_id,
            actor=by,
        )
        async with self._db.session() as session:
            item = await session.get_one(HandoverItem, item_id)
            item.ticket_id = ticket.id
            session.add(
                self._event(
                    item, by, "problem", contact_id=contact_id, ticket_id=ticket.id, note=text
                )
            )
        return ticket

    async def overdue(self) -> dict[int, list[ItemView]]:
        """Unconfirmed items past their due date, per project not yet accepted."""
        today = self._clock.now().date()
        async with self._db.session() as session:
            rows = await session.execute(
                select(HandoverItem)
                .join(Project, Project.id == HandoverItem.project_id)
                .where(
                    Project.accepted_on.is_(None),
                    HandoverItem.confirmed_at.is_(None),
                    HandoverItem.due_on < today,
                )
                .order_by(HandoverItem.project_id, HandoverItem.position)
            )
            found: dict[int, list[ItemView]] = {}
            for item in rows.scalars():
                found.setdefault(item.project_id, []).append(await _item_view(session, item))
            return found

    # --- acceptance --------------------------------------------------------------------------

    async def _accept(self, project_id: int) -> date:
        """Set accepted_on (today in the project's timezone) through the Directory, so its
        project_changed listeners move the follow-ups; the warranty now runs from acceptance."""
        async with self._db.session() as session:
            project = await session.get_one(Project, project_id)
            client = await session.get_one(Client, project.client_id)
            today = self._clock.now().astimezone(ZoneInfo(project.timezone)).date()
            accepted = max(today, project.delivered_on)
            warranty = (
                project.warranty_until + (accepted - project.delivered_on)
                if project.warranty_until is not None
                else None
            )
            code, name = client.code, project.name
        await self._directory.update_project(
            code, name, ProjectChange(accepted_on=accepted, warranty_until=warranty)
        )
        await self._tell_staff(
            f"Handover complete: {code} / {name} accepted on {accepted.isoformat()} "
            f"(every checklist item confirmed by the client)"
            + (f"; warranty until {warranty.isoformat()}" if warranty else ""),
            key=f"handover:{project_id}:accepted",
            project_id=project_id,
        )
        return accepted

    async def _tell_staff(self, text: str, *, key: str, project_id: int) -> None:
        await self._staff.post(
            text, kind="handover_staff", key=key, thread=f"handover:{project_id}"
        )

    # --- helpers -----------------------------------------------------------------------------

    async def _ensure(self, session: AsyncSession, project: Project) -> None:
        """Make the project's checklist from the template, once."""
        if await session.scalar(
            select(HandoverItem.id).where(HandoverItem.project_id == project.id).limit(1)
        ):
            return
        now = self._clock.now()
        for position, spec in enumerate(self.template, start=1):
            session.add(
                HandoverItem(
                    project_id=project.id,
                    key=spec.key,
                    position=position,
                    title_en=spec.title_en[:200],
                    title_zh=spec.title_zh[:200],
                    due_days=spec.due_days,
                    due_on=project.delivered_on + timedelta(days=spec.due_days),
                    created_at=now,
                )
            )
        await session.flush()

    def _event(
        self,
        item: HandoverItem,
        actor: str,
        kind: str,
        *,
        contact_id: int | None = None,
        ticket_id: int | None = None,
        note: str | None = None,
    ) -> HandoverEvent:
        return HandoverEvent(
            project_id=item.project_id,
            item_id=item.id,
            at=self._clock.now(),
            actor=actor[:200],
            kind=kind,
            contact_id=contact_id,
            ticket_id=ticket_id,
            note=note,
        )


def _pick(items: list[HandoverItem], ref: str) -> HandoverItem:
    """An item by its key (`user_manual`) or its number in the list (`2`)."""
    ref = ref.strip().lower()
    for item in items:
        if item.key == ref or (ref.isdigit() and item.position == int(ref)):
            return item
    keys = ", ".join(item.key for item in items)
    raise NotFoundError(f"no checklist item {ref!r}: use a number or one of {keys}")


async def _items(session: AsyncSession, project_id: int) -> list[HandoverItem]:
    return list(
        await session.scalars(
            select(HandoverItem)
            .where(HandoverItem.project_id == project_id)
            .order_by(HandoverItem.position)
        )
    )


async def _own_project(session: AsyncSession, project_id: int, client_id: int | None) -> Project:
    project = await session.get(Project, project_id)
    if project is None or (client_id is not None and project.client_id != client_id):
        raise NotFoundError(f"no project {project_id}")
    return project


async def _own_item(session: AsyncSession, item_id: int, client_id: int | None) -> HandoverItem:
    item = await session.get(HandoverItem, item_id)
    if item is not None and client_id is not None:
        project = await session.get_one(Project, item.project_id)
        if project.client_id != client_id:
            item = None
    if item is None:
        raise NotFoundError(f"no checklist item {item_id}")
    return item


async def _locked_project(session: AsyncSession, db: Database, project_id: int) -> Project:
    """The project row, locked on PostgreSQL: two last confirmations accept the project once."""
    query = select(Project).where(Project.id == project_id)
    if db.dialect == "postgresql":
        query = query.with_for_update()
    project = await session.scalar(query.execution_options(populate_existing=True))
    if project is None:
        raise NotFoundError(f"no project {project_id}")
    return project


async def _claim_acceptance(session: AsyncSession, project_id: int) -> bool:
    """True for the one confirmation that completes the checklist."""
    done = await session.scalar(
        select(HandoverEvent.id).where(
            HandoverEvent.project_id == project_id, HandoverEvent.kind == "accepted"
        )
    )
    return done is None  # another confirmation (waiting on the row lock) accepted it already


async def _item_view(session: AsyncSession, item: HandoverItem) -> ItemView:
    ticket = await session.get(Ticket, item.ticket_id) if item.ticket_id is not None else None
    return ItemView(
        id=item.id,
        key=item.key,
        position=item.position,
        title_en=item.title_en,
        title_zh=item.title_zh,
        due_on=item.due_on,
        ticked_at=item.ticked_at,
        ticked_by=item.ticked_by,
        confirmed_at=item.confirmed_at,
        confirmed_by=item.confirmed_by,
        ticket=await ticket_ref(session, ticket) if ticket is not None else None,
    )


async def _checklist(
    session: AsyncSession, project: Project, *, with_events: bool = False
) -> ChecklistView:
    client = await session.get_one(Client, project.client_id)
    items = tuple([await _item_view(session, item) for item in await _items(session, project.id)])
    events: tuple[HandoverEventView, ...] = ()
    if with_events:
        keys = {item.id: item.key for item in items}
        rows = await session.scalars(
            select(HandoverEvent)
            .where(HandoverEvent.project_id == project.id)
            .order_by(HandoverEvent.at, HandoverEvent.id)
        )
        events = tuple(
            HandoverEventView(e.at, e.actor, e.kind, keys.get(e.item_id or 0), e.note) for e in rows
        )
    return ChecklistView(
        project_id=project.id,
        client_id=client.id,
        client_code=client.code,
        client_name=client.name,
        project=project.name,
        timezone=project.timezone,
        sla_tier=project.sla_tier,
        delivered_on=project.delivered_on,
        accepted_on=project.accepted_on,
        warranty_until=project.warranty_until,
        items=items,
        events=events,
    )


async def contact_name(session: AsyncSession, contact_id: int | None) -> str | None:
    contact = await session.get(Contact, contact_id) if contact_id is not None else None
    return contact.name if contact else None
