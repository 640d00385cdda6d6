"""Console sign-in: server-side sessions (the cookie holds a random token, the database its
SHA-256), a CSRF token per session, and failed sign-ins counted per email and per address so
guessing is refused for a while (shared by every replica through the database)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from bot.core.errors import AftercareError
from bot.core.protocols import Clock
from bot.features.accounts.models import SignInFailure, StaffSession
from bot.features.accounts.passwords import hash_password, needs_rehash, verify_password
from bot.features.accounts.service import StaffAccounts, StaffView
from bot.storage.db import Database

IDLE = timedelta(hours=12)  # a session unused this long ends
LONGEST = timedelta(days=7)  # and none outlives this
WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 20


class SignInRefused(AftercareError):
    """Wrong email or password (never which of the two)."""


class TooManyAttempts(AftercareError):
    """Too many failed sign-ins lately; `retry_after` seconds until the next try counts."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after // 60 + 1} min")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who, and the CSRF token its forms must carry."""

    staff: StaffView
    csrf: str

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf, token)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSessions:
    def __init__(self, db: Database, clock: Clock, accounts: StaffAccounts) -> None:
        self._db = db
        self._clock = clock
        self._accounts = accounts

    async def sign_in(self, email: str, password: str, address: str) -> tuple[str, Session]:
        """A new session's cookie value and the session; SignInRefused or TooManyAttempts."""
        keys = (f"email:{email.strip().lower()[:320]}", f"addr:{address[:64]}")
        await self._check_attempts(*keys)
        found = await self._accounts.by_email(email)
        ok = await verify_password(found[1] if found else None, password)
        if found is None or not ok:
            await self._fail(*keys)
            raise SignInRefused("wrong email or password")
        staff, stored = found
        if needs_rehash(stored):
            await self._accounts.rehash(staff.id, await hash_password(password))
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._clock.now()
        async with self._db.session() as session:
            session.add(
                StaffSession(
                    id=_digest(token),
                    staff_id=staff.id,
                    csrf=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + IDLE,
                )
            )
            await session.execute(delete(SignInFailure).where(SignInFailure.key == keys[0]))
        return token, Session(staff, csrf)

    async def resume(self, token: str | None) -> Session | None:
        """The session a cookie names, if it is live and its account active; slides the idle
        expiry (written at most once a minute)."""
        if not token or len(token) > 200:
            return None
        now = self._clock.now()
        async with self._db.session() as session:
            row = await session.get(StaffSession, _digest(token))
            if row is None or row.expires_at <= now:
                return None
            if now - row.last_seen_at > timedelta(minutes=1):
                row.last_seen_at = now
                row.expires_at = min(now + IDLE, row.created_at + LONGEST)
            staff_id, csrf = row.staff_id, row.csrf
        staff = await self._accounts.get(staff_id)
        if not staff.active:
            return None
        return Session(staff, csrf)

    async def sign_out(self, token: str | None) -> None:
        if token:
            async with self._db.session() as session:
                await session.execute(delete(StaffSession).where(StaffSession.id == _digest(token)))

    async def end_all(self, staff_id: int) -> None:
        """Sign an account out everywhere (password changed, account disabled)."""
        async with self._db.session() as session:
            await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))

    async def purge(self) -> int:
        """Forget ended sessions and old failures (a periodic job)."""
        now = self._clock.now()
        async with self._db.session() as session:
            ended = await session.execute(
                delete(StaffSession).where(StaffSession.expires_at <= now)
            )
            await session.execute(delete(SignInFailure).where(SignInFailure.at < now - WINDOW))
        return int(getattr(ended, "rowcount", 0) or 0)

    async def _check_attempts(self, email_key: str, address_key: str) -> None:
        now = self._clock.now()
        async with self._db.session() as session:
            rows = (
                await session.execute(
                    select(SignInFailure.key, func.count(), func.min(SignInFailure.at))
                    .where(
                        SignInFailure.key.in_((email_key, address_key)),
                        SignInFailure.at > now - WINDOW,
                    )
                    .group_by(SignInFailure.key)
                )
            ).all()
        for key, count, first in rows:
            limit = MAX_PER_EMAIL if key == email_key else MAX_PER_ADDRESS
            if count >= limit:
                raise TooManyAttempts(max(1, int((first + WINDOW - now).total_seconds())))

    async def _fail(self, *keys: str) -> None:
        now = self._clock.now()
        async with self._db.session() as session:
            session.add_all(SignInFailure(key=k, at=now) for k in keys)


__all__ = ["Session", "SignInRefused", "StaffSessions", "TooManyAttempts"]
