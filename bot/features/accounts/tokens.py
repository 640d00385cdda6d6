"""API tokens for integrations: created with scopes, shown once, stored as their SHA-256,
verified by a lookup of that hash, revoked by name."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.protocols import Clock
from bot.features.accounts.models import ApiToken
from bot.storage.db import Database

# Every scope a token can carry, with what it allows (the README's table and `--help` read it).
SCOPES: dict[str, str] = {
    "clients:read": "list clients",
    "projects:read": "list and read projects",
    "contacts:read": "list contacts",
    "tickets:read": "list and read tickets",
    "tickets:write": "open tickets, change their status, comment",
    "conversations:read": "list waiting conversations, read transcripts",
    "conversations:write": "reply to a client, hand a conversation back",
    "surveys:read": "survey results",
    "knowledge:read": "list articles and drafts, ask the knowledge base",
    "knowledge:write": "reserved for changing the knowledge base (no endpoint yet)",
}
PREFIX = "act"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,99}$")
# last_used_at is a hint for an admin, not an audit log: one write a minute is enough.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenView:
    """A token as lists show it; never its secret."""

    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def actor(self) -> str:
        """Who a write through this token is recorded as (a ticket event's actor)."""
        return f"api:{self.name}"


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The scopes, deduplicated in declared order; InvalidInputError names an unknown one."""
    if not scopes:
        raise InvalidInputError(f"give a token at least one scope: {', '.join(SCOPES)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise InvalidInputError(f"unknown scope {unknown[0]!r}: use {', '.join(SCOPES)}")
    return tuple(s for s in SCOPES if s in scopes)


class ApiTokens:
    """Create, list, revoke and verify API tokens; each operation is one transaction."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create(self, name: str, scopes: list[str] | tuple[str, ...]) -> tuple[TokenView, str]:
        """A new token; the plaintext (`act_<prefix>_<secret>`) is returned here and never again."""
        name = name.strip()
        if not _NAME.match(name):
            raise InvalidInputError(
                f"bad token name {name[:40]!r}: letters, digits and : . _ - (up to 100)"
            )
        granted = check_scopes(scopes)
        prefix = secrets.token_hex(4)
        plaintext = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiToken(
            name=name,
            prefix=prefix,
            token_hash=hash_token(plaintext),
            scopes=list(granted),
            created_at=self._clock.now(),
            last_used_at=None,
            revoked_at=None,
        )
        try:
            async with self._db.session() as session:
                session.add(row)
        except IntegrityError:
            raise ConflictError(f"a token named {name!r} exists already") from None
        return _view(row), plaintext

    async def list(self) -> list[TokenView]:
        async with self._db.session() as session:
            rows = await session.scalars(select(ApiToken).order_by(ApiToken.name))
            return [_view(row) for row in rows]

    async def revoke(self, name: str) -> TokenView:
        """Revoke by name; revoking twice keeps the first time."""
        async with self._db.session() as session:
            row = await session.scalar(select(ApiToken).where(ApiToken.name == name.strip()))
            if row is None:
                raise NotFoundError(f"no token named {name.strip()[:100]!r}")
            if row.revoked_at is None:
                row.revoked_at = self._clock.now()
            return _view(row)

    async def verify(self, plaintext: str) -> TokenView | None:
        """The live token this plaintext is, or None (unknown, malformed or revoked).

        Only the SHA-256 is looked up, so no comparison of secrets leaks timing; the hash
        index makes it one read. last_used_at is written at most once a minute."""
        if not plaintext.startswith(f"{PREFIX}_") or len(plaintext) > 200:
            return None
        digest = hash_token(plaintext)
        now = self._clock.now()
        async with self._db.session() as session:
            row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
            if row is None or row.revoked_at is not None:
                return None
            if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
                stale = now - _TOUCH_EVERY
                # Conditional, so concurrent requests write once and never move it backwards.
                await session.execute(
                    update(ApiToken)
                    .where(
                        ApiToken.id == row.id,
                        (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= stale),
                    )
                    .values(last_used_at=now)
                    .execution_options(synchronize_session=False)
                )
                return replace(_view(row), last_used_at=now)
            return _view(row)


def _view(row: ApiToken) -> TokenView:
    return TokenView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(str(s) for s in row.scopes),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
