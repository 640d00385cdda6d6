"""Clients, projects, contacts and channel identities: the admin side of who is who."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.events import Events, ProjectChanged
from bot.core.protocols import Clock
from bot.storage.db import Database
from bot.storage.models import ChannelIdentity, Client, Contact, Project

SLA_TIERS = ("gold", "silver", "bronze")
# From delivery, then from acceptance (bot/features/handover/service.py); as the KB says.
DEFAULT_WARRANTY_MONTHS = 12
CHANNELS = ("console", "slack", "telegram", "http")
YEARS = (1970, 2199)  # dates a command accepts
CHAT_PREFIX = "chat:"
TEAM_WIDE = "*"  # user id that links every member of a Slack team (Slack Connect) at once
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class ContactView:
    handle: str
    name: str
    client: str
    identities: tuple[str, ...]


def parse_date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"bad date {text!r}: use YYYY-MM-DD, e.g. 2026-03-31") from None
    check_year(day)
    return day


def check_year(day: date) -> None:
    """Refuse a year no project lives in; near year 1 or 9999, date arithmetic (warranty ends,
    reminders, time zones) would overflow."""
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise InvalidInputError(f"{day.isoformat()} is out of range: years {YEARS[0]}-{YEARS[1]}")


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"unknown timezone {name!r}: use an IANA name such as Europe/Berlin or Asia/Shanghai"
        ) from None
    return name


@dataclass(frozen=True)
class ProjectChange:
    """Fields to change on a project; None leaves a field as it is."""

    delivered_on: date | None = None
    accepted_on: date | None = None
    warranty_until: date | None = None
    sla_tier: str | None = None
    timezone: str | None = None


class Directory:
    """Admin operations; each is one transaction that fully happens or not at all."""

    def __init__(self, db: Database, clock: Clock, events: Events | None = None) -> None:
        self._db = db
        self._clock = clock
        self._events = events or Events()  # ProjectChanged after a project is added or moved

    async def add_client(self, name: str, code: str | None = None) -> Client:
        name = name.strip()
        if not name:
            raise InvalidInputError("a client needs a name")
        code = (code or _code_from(name)).upper()
        if not _CODE.match(code):
            raise InvalidInputError(
                f"bad client code {code!r}: 2-10 letters or digits, starting with a letter"
            )
        async with self._db.session() as session:
            if await session.scalar(select(Client).where(func.lower(Client.name) == name.lower())):
                raise ConflictError(f"a client named {name!r} already exists")
            if await session.scalar(select(Client).where(Client.code == code)):
                raise ConflictError(f"client code {code} is taken; pass another with --code")
            client = Client(name=name, code=code, created_at=self._clock.now())
            session.add(client)
        return client

    async def list_clients(self) -> list[Client]:
        async with self._db.session() as session:
            return list(await session.scalars(select(Client).order_by(Client.name)))

    async def add_project(
        self,
        client_ref: str,
        name: str,
        delivered_on: date,
        warranty_months: int,
        sla_tier: str,
        timezone: str,
    ) -> Project:
        name = name.strip()
        if not name:
            raise InvalidInputError("a project needs a name")
        if sla_tier not in SLA_TIERS:
            raise InvalidInputError(f"unknown SLA tier {sla_tier!r}: use {', '.join(SLA_TIERS)}")
        if not 0 <= warranty_months <= 120:
            raise InvalidInputError("warranty months must be between 0 and 120")
        check_timezone(timezone)
        async with self._db.session() as session:
            client = await client_by_ref(session, client_ref)
            exists = await session.scalar(
                select(Project).where(Project.client_id == client.id, Project.name == name)
            )
            if exists:
                raise ConflictError(f"{client.name} already has a project named {name!r}")
            project = Project(
                client_id=client.id,
                name=name,
                delivered_on=delivered_on,
                accepted_on=None,
                warranty_until=add_months(delivered_on, warranty_months),
                sla_tier=sla_tier,
                timezone=timezone,
                created_at=self._clock.now(),
            )
            session.add(project)
        await self._changed(project.id)
        return project

    async def update_project(self, client_ref: str, name: str, change: ProjectChange) -> Project:
        """Change a project's dates, tier or timezone; follow-ups are moved to match."""
        if change.sla_tier is not None and change.sla_tier not in SLA_TIERS:
            raise InvalidInputError(
                f"unknown SLA tier {change.sla_tier!r}: use {', '.join(SLA_TIERS)}"
            )
        if change.timezone is not None:
            check_timezone(change.timezone)
        async with self._db.session() as session:
            client = await client_by_ref(session, client_ref)
            project = await session.scalar(
                select(Project).where(Project.client_id == client.id, Project.name == name.strip())
            )
            if project is None:
                raise NotFoundError(f"{client.name} has no project named {name.strip()!r}")
            if change.delivered_on is not None:
                project.delivered_on = change.delivered_on
            if change.accepted_on is not None:
                project.accepted_on = change.accepted_on
            if change.warranty_until is not None:
                project.warranty_until = change.warranty_until
            if change.sla_tier is not None:
                project.sla_tier = change.sla_tier
            if change.timezone is not None:
                project.timezone = change.timezone
            if project.accepted_on is not None and project.accepted_on < project.delivered_on:
                raise InvalidInputError("a project cannot be accepted before it is delivered")
            if project.warranty_until is not None and project.warranty_until < project.delivered_on:
                raise InvalidInputError("the warranty cannot end before delivery")
        await self._changed(project.id)
        return project

    async def _changed(self, project_id: int) -> None:
        """Every listener runs; the first failure is then raised, so the staff command that
        changed the project says what did not follow (the change itself is committed)."""
        failures = await self._events.emit(ProjectChanged(project_id))
        if failures:
            raise failures[0]

    async def list_projects(self, client_ref: str | None = None) -> list[tuple[Project, Client]]:
        async with self._db.session() as session:
            query = select(Project, Client).join(Client).order_by(Client.name, Project.name)
            if client_ref is not None:
                client = await client_by_ref(session, client_ref)
                query = query.where(Project.client_id == client.id)
            return [(p, c) for p, c in (await session.execute(query)).all()]

    async def project(self, project_id: int) -> tuple[Project, Client]:
        """One project with its client; NotFoundError when there is none."""
        async with self._db.session() as session:
            row = (
                await session.execute(
                    select(Project, Client).join(Client).where(Project.id == project_id)
                )
            ).first()
        if row is None:
            raise NotFoundError(f"no project with id {project_id}")
        return row[0], row[1]

    async def project_of_client(
        self, client_ref: str, name: str | None = None
    ) -> tuple[Project, Client]:
        """A client's project by name (any case), or its only project when `name` is None."""
        async with self._db.session() as session:
            client = await client_by_ref(session, client_ref)
            projects = await projects_of_client(session, client.id)
        wanted = name.strip().casefold() if name is not None else None
        found = [p for p in projects if wanted is None or p.name.casefold() == wanted]
        if not found:
            raise NotFoundError(
                f"{client.code} has no project named {name.strip()!r}"
                if name is not None
                else f"{client.code} has no project yet"
            )
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise InvalidInputError(f"{client.code} has several projects ({names}): name one")
        return found[0], client

    async def add_contact(
        self,
        client_ref: str,
        handle: str,
        name: str | None = None,
        email: str | None = None,
        lang: str | None = None,
        timezone: str | None = None,
    ) -> Contact:
        handle = handle.strip().lower()
        if not _HANDLE.match(handle):
            raise InvalidInputError(
                f"bad handle {handle!r}: lower-case letters, digits, '.', '_' or '-'"
            )
        if lang not in (None, "en", "zh"):
            raise InvalidInputError(f"unknown language {lang!r}: use en or zh")
        if timezone is not None:
            check_timezone(timezone)
        async with self._db.session() as session:
            client = await client_by_ref(session, client_ref)
            if await _contact(session, client.id, handle):
                raise ConflictError(f"{client.name} already has a contact {handle!r}")
            contact = Contact(
                client_id=client.id,
                handle=handle,
                name=(name or handle).strip(),
                email=email,
                lang=lang,
                timezone=timezone,
                created_at=self._clock.now(),
            )
            session.add(contact)
        return contact

    async def link(
        self, client_ref: str, handle: str, channel: str, user_id: str, workspace_id: str = ""
    ) -> ChannelIdentity:
        """Bind a channel account to a contact; an account belongs to one contact only."""
        if channel not in CHANNELS:
            raise InvalidInputError(f"unknown channel {channel!r}: use {', '.join(CHANNELS)}")
        if not user_id.strip():
            raise InvalidInputError("a channel identity needs a user id")
        if user_id == TEAM_WIDE and (channel != "slack" or not workspace_id):
            raise InvalidInputError(
                "user id '*' links a whole Slack team: it needs --channel slack and --workspace"
            )
        async with self._db.session() as session:
            client = await client_by_ref(session, client_ref)
            contact = await _contact(session, client.id, handle.strip().lower())
            if contact is None:
                raise NotFoundError(f"{client.name} has no contact {handle!r}")
            taken = await session.scalar(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel,
                    ChannelIdentity.workspace_id == workspace_id,
                    ChannelIdentity.user_id == user_id,
                )
            )
            if taken is not None:
                raise ConflictError(
                    f"{channel} user {user_id!r} is already linked to a contact; unlink it first"
                )
            identity = ChannelIdentity(
                contact_id=contact.id,
                channel=channel,
                workspace_id=workspace_id,
                user_id=user_id,
                created_at=self._clock.now(),
            )
            session.add(identity)
        return identity

    async def move_chat(
        self, channel: str, workspace_id: str, old_chat: str, new_chat: str
    ) -> bool:
        """A linked group chat got a new id (a Telegram group upgraded to a supergroup): keep
        its link. False when there was nothing to move (not linked, or moved already)."""
        async with self._db.session() as session:
            found = await session.scalars(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel,
                    ChannelIdentity.workspace_id == workspace_id,
                    ChannelIdentity.user_id.in_([chat_identity(old_chat), chat_identity(new_chat)]),
                )
            )
            by_user = {identity.user_id: identity for identity in found}
            old = by_user.get(chat_identity(old_chat))
            if old is None or chat_identity(new_chat) in by_user:
                return False
            old.user_id = chat_identity(new_chat)
        return True

    async def speaks_for_client(self, channel: str, workspace_id: str, user_id: str) -> bool:
        """Whether a chat account is linked to a client (personally or team-wide): such an
        account is a client's, and may never act as staff."""
        async with self._db.session() as session:
            linked = await session.scalar(
                select(ChannelIdentity.id)
                .where(
                    ChannelIdentity.channel == channel,
                    ChannelIdentity.workspace_id == workspace_id,
                    ChannelIdentity.user_id.in_((user_id, TEAM_WIDE)),
                )
                .limit(1)
            )
        return linked is not None

    async def list_contacts(self, client_ref: str | None = None) -> list[ContactView]:
        async with self._db.session() as session:
            query = select(Contact, Client).join(Client).order_by(Client.name, Contact.handle)
            if client_ref is not None:
                client = await client_by_ref(session, client_ref)
                query = query.where(Contact.client_id == client.id)
            rows = (await session.execute(query)).all()
            identities = await session.execute(select(ChannelIdentity))
            by_contact: dict[int, list[str]] = {}
            for identity in identities.scalars():
                label = f"{identity.channel}:{identity.workspace_id + '/' if identity.workspace_id else ''}{identity.user_id}"
                by_contact.setdefault(identity.contact_id, []).append(label)
            return [
                ContactView(c.handle, c.name, cl.name, tuple(by_contact.get(c.id, [])))
                for c, cl in rows
            ]


async def client_by_ref(session: AsyncSession, ref: str) -> Client:
    """A client by its code or name, case-insensitive."""
    ref = ref.strip()
    client = await session.scalar(
        select(Client).where(
            (func.upper(Client.code) == ref.upper()) | (func.lower(Client.name) == ref.lower())
        )
    )
    if client is None:
        raise NotFoundError(f"no client {ref!r}; see `aftercare client list`")
    return client


async def projects_of_client(session: AsyncSession, client_id: int) -> list[Project]:
    """A client's projects, by name (what a client picks from, and what /hours lists)."""
    query = select(Project).where(Project.client_id == client_id).order_by(Project.name)
    return list(await session.scalars(query))


async def contact_by_handle(session: AsyncSession, handle: str) -> Contact:
    """A contact by handle (`alice`) or client-qualified handle (`ACME/alice`)."""
    client_ref, _, bare = handle.rpartition("/")
    query = select(Contact).where(Contact.handle == bare.lower())
    if client_ref:
        client = await client_by_ref(session, client_ref)
        query = query.where(Contact.client_id == client.id)
    found = list(await session.scalars(query.limit(2)))
    if not found:
        raise NotFoundError(f"no contact {handle!r}; see `aftercare contact list`")
    if len(found) > 1:
        raise InvalidInputError(f"several clients have a contact {bare!r}: write CLIENT/{bare}")
    return found[0]


async def find_contact(
    session: AsyncSession, channel: str, workspace_id: str, user_id: str
) -> Contact | None:
    """The contact linked to a channel account, if any."""
    return await session.scalar(
        select(Contact)
        .join(ChannelIdentity, ChannelIdentity.contact_id == Contact.id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.workspace_id == workspace_id,
            ChannelIdentity.user_id == user_id,
        )
    )


def chat_identity(chat_id: str) -> str:
    """The user id under which a whole group chat is linked to a client (`/start CODE` there)."""
    return f"{CHAT_PREFIX}{chat_id}"


async def contact_of_client(session: AsyncSession, client: Client, handle: str) -> Contact:
    contact = await _contact(session, client.id, handle.strip().lower())
    if contact is None:
        raise NotFoundError(
            f"{client.name} has no contact {handle!r}; see `aftercare contact list`"
        )
    return contact


async def _contact(session: AsyncSession, client_id: int, handle: str) -> Contact | None:
    return await session.scalar(
        select(Contact).where(Contact.client_id == client_id, Contact.handle == handle)
    )


def _code_from(name: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", name).upper()
    if len(letters) < 2 or not letters[0].isalpha():
        raise InvalidInputError(
            f"can't derive a ticket prefix from {name!r}; pass one with --code, e.g. --code ACME"
        )
    return letters[:6]
