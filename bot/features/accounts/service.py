"""Staff accounts: who may use the console, in which role, for which clients, and which Slack
user they are (a reply from Slack or the web is signed with the account's name)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.protocols import Clock
from bot.features.accounts.models import StaffAccount, StaffClient
from bot.features.accounts.passwords import hash_password
from bot.storage.db import Database
from bot.storage.models import Client

ROLES = ("admin", "agent")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")


@dataclass(frozen=True)
class StaffView:
    """A staff account as the console and the CLI see it; `clients` is None for an admin
    (every client), else the ids of the clients the agent serves."""

    id: int
    name: str
    email: str
    role: str
    slack_user_id: str | None
    lang: str | None
    active: bool
    clients: frozenset[int] | None
    client_codes: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def serves(self, client_id: int | None) -> bool:
        return self.clients is None or (client_id is not None and client_id in self.clients)


def _email(value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInputError(f"{value!r} is not an email address")
    return email


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name or len(name) > 100:
        raise InvalidInputError("a staff name needs 1 to 100 characters")
    return name


class StaffAccounts:
    """Add, change and read staff accounts; every call is one transaction."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def add(
        self,
        name: str,
        email: str,
        role: str,
        password: str,
        *,
        slack_user_id: str | None = None,
        clients: Sequence[str] = (),
        lang: str | None = None,
    ) -> StaffView:
        if role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if lang not in (None, "en", "zh"):
            raise InvalidInputError("lang must be en or zh")
        row = StaffAccount(
            name=_name(name),
            email=_email(email),
            role=role,
            password_hash=await hash_password(password),
            slack_user_id=(slack_user_id or "").strip() or None,
            lang=lang,
            active=True,
            created_at=self._clock.now(),
            updated_at=self._clock.now(),
        )
        try:
            async with self._db.session() as session:
                ids = await _client_ids(session, clients)
                session.add(row)
                await session.flush()
                session.add_all(StaffClient(staff_id=row.id, client_id=c) for c in ids)
        except IntegrityError as exc:
            raise ConflictError(
                f"a staff account with the name {row.name!r}, the email {row.email!r} or "
                "that Slack user exists already"
            ) from exc
        return await self.get(row.id)

    async def get(self, staff_id: int) -> StaffView:
        views = await self._views(select(StaffAccount).where(StaffAccount.id == staff_id))
        if not views:
            raise NotFoundError(f"no staff account {staff_id}")
        return views[0]

    async def find(self, ref: str) -> StaffView:
        """By email or by name (the CLI's way of naming an account)."""
        ref = ref.strip()
        views = await self._views(
            select(StaffAccount).where(
                (StaffAccount.email == ref.lower()) | (StaffAccount.name == ref)
            )
        )
        if not views:
            raise NotFoundError(f"no staff account {ref!r}")
        return views[0]

    async def by_email(self, email: str) -> tuple[StaffView, str] | None:
        """The active account and its password hash, for signing in."""
        async with self._db.session() as session:
            row = await session.scalar(
                select(StaffAccount).where(
                    StaffAccount.email == email.strip().lower(), StaffAccount.active.is_(True)
                )
            )
            stored = row.password_hash if row is not None else None
        if row is None or stored is None:
            return None
        return await self.get(row.id), stored

    async def name_for_slack(self, slack_user_id: str) -> str | None:
        """The staff name linked to a Slack user, so Slack replies are signed as in the web."""
        async with self._db.session() as session:
            return await session.scalar(
                select(StaffAccount.name).where(
                    StaffAccount.slack_user_id == slack_user_id, StaffAccount.active.is_(True)
                )
            )

    async def all(self) -> list[StaffView]:
        return await self._views(select(StaffAccount).order_by(StaffAccount.name))

    async def update(
        self,
        staff_id: int,
        *,
        role: str | None = None,
        active: bool | None = None,
        password: str | None = None,
        slack_user_id: str | None = None,
        clients: Sequence[str] | None = None,
        lang: str | None = None,
    ) -> StaffView:
        if role is not None and role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if lang not in (None, "en", "zh"):
            raise InvalidInputError("lang must be en or zh")
        hashed = await hash_password(password) if password is not None else None
        try:
            async with self._db.session() as session:
                row = await session.get(StaffAccount, staff_id)
                if row is None:
                    raise NotFoundError(f"no staff account {staff_id}")
                if role is not None:
                    row.role = role
                if active is not None:
                    row.active = active
                if hashed is not None:
                    row.password_hash = hashed
                if slack_user_id is not None:
                    row.slack_user_id = slack_user_id.strip() or None
                if lang is not None:
                    row.lang = lang
                if clients is not None:
                    ids = await _client_ids(session, clients)
                    await session.execute(delete(StaffClient).where(StaffClient.staff_id == row.id))
                    session.add_all(StaffClient(staff_id=row.id, client_id=c) for c in ids)
                row.updated_at = self._clock.now()
        except IntegrityError as exc:
            raise ConflictError("another staff account is linked to that Slack user") from exc
        return await self.get(staff_id)

    async def rehash(self, staff_id: int, hashed: str) -> None:
        async with self._db.session() as session:
            row = await session.get(StaffAccount, staff_id)
            if row is not None:
                row.password_hash = hashed

    async def _views(self, statement: Select[Any]) -> list[StaffView]:
        async with self._db.session() as session:
            rows: list[StaffAccount] = list((await session.scalars(statement)).all())
            links = (
                await session.execute(
                    select(StaffClient.staff_id, Client.id, Client.code)
                    .join(Client, Client.id == StaffClient.client_id)
                    .where(StaffClient.staff_id.in_([r.id for r in rows]))
                    .order_by(Client.code)
                )
            ).all()
        served: dict[int, list[tuple[int, str]]] = {}
        for staff_id, client_id, code in links:
            served.setdefault(staff_id, []).append((client_id, code))
        return [
            StaffView(
                id=r.id,
                name=r.name,
                email=r.email,
                role=r.role,
                slack_user_id=r.slack_user_id,
                lang=r.lang,
                active=r.active,
                clients=None
                if r.role == "admin"
                else frozenset(c for c, _ in served.get(r.id, [])),
                client_codes=tuple(code for _, code in served.get(r.id, [])),
            )
            for r in rows
        ]


async def _client_ids(session: AsyncSession, codes: Sequence[str]) -> list[int]:
    wanted = sorted({c.strip().upper() for c in codes if c.strip()})
    if not wanted:
        return []
    rows = await session.execute(select(Client.code, Client.id).where(Client.code.in_(wanted)))
    found = {code: client_id for code, client_id in rows.all()}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise NotFoundError(f"no client with the code {', '.join(missing)}")
    return [found[c] for c in wanted]
