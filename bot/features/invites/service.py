"""Invite codes: an admin issues a one-time, expiring code; `/start CODE` links the chat account
(or, in a group, the whole group chat) to the client and contact the code was made for."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import client_by_ref, contact_of_client, find_contact
from bot.core.errors import AftercareError, InvalidInputError
from bot.core.protocols import Clock
from bot.features.invites.models import Invite
from bot.storage.db import Database
from bot.storage.models import ChannelIdentity, Client, Contact

MAX_DAYS = 90
_CODE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InviteError(AftercareError):
    """An invite code that cannot be redeemed; `reason` is unknown, used or expired."""

    def __init__(self, reason: str, expired_at: datetime | None = None) -> None:
        super().__init__(f"invite code {reason}")
        self.reason = reason
        self.expired_at = expired_at


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    client: str
    contact: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    client: str
    contact: str


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


class InviteService:
    """Issues codes (admin side) and redeems them (chat side); each is one transaction."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create(
        self, client_ref: str, contact_handle: str | None = None, days: int = 7
    ) -> IssuedInvite:
        """A new code for `client_ref` (and one of its contacts), valid for `days` days."""
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInputError(f"an invite lasts 1 to {MAX_DAYS} days, not {days}")
        code = secrets.token_urlsafe(18)  # 144 random bits, 24 characters of [A-Za-z0-9_-]
        now = self._clock.now()
        async with self._db.session() as session:
            client = await client_by_ref(session, client_ref)
            contact = None
            if contact_handle is not None:
                contact = await contact_of_client(session, client, contact_handle)
            invite = Invite(
                code_hash=hash_code(code),
                client_id=client.id,
                contact_id=contact.id if contact else None,
                created_at=now,
                expires_at=now + timedelta(days=days),
                used_at=None,
                used_by=None,
            )
            session.add(invite)
        return IssuedInvite(
            code, client.name, contact.handle if contact else None, invite.expires_at
        )

    async def redeem(
        self, code: str, channel: str, workspace_id: str, user_id: str, display_name: str
    ) -> Redeemed:
        """Use the code once: link (channel, workspace, user) to the invite's contact.

        Without a contact on the invite, the account gets a contact of its own under the
        client. Raises InviteError for an unknown, used or expired code.
        """
        if not _CODE.match(code.strip()):
            raise InviteError("unknown")
        now = self._clock.now()
        async with self._db.session() as session:
            invite = await session.scalar(select(Invite).where(Invite.code_hash == hash_code(code)))
            if invite is None:
                raise InviteError("unknown")
            used_by = f"{channel}:{workspace_id}/{user_id}"[:200]
            if invite.used_at is not None:
                if invite.used_by != used_by:
                    raise InviteError("used")
                # The same account again (a deep link tapped twice): already linked, welcome back.
                client = await session.get_one(Client, invite.client_id)
                contact = await find_contact(session, channel, workspace_id, user_id)
                if contact is None or contact.client_id != client.id:
                    raise InviteError("used")
                return Redeemed(client.name, contact.name)
            if invite.expires_at <= now:
                raise InviteError("expired", invite.expires_at)
            # Claim it atomically: of two redemptions racing, exactly one updates the row.
            claimed = await session.execute(
                update(Invite)
                .where(Invite.id == invite.id, Invite.used_at.is_(None))
                .values(used_at=now, used_by=used_by)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise InviteError("used")
            client = await session.get_one(Client, invite.client_id)
            contact = (
                await session.get_one(Contact, invite.contact_id)
                if invite.contact_id is not None
                else await _own_contact(session, client, channel, user_id, display_name, now)
            )
            await _bind(session, contact, channel, workspace_id, user_id, now)
        return Redeemed(client.name, contact.name)


async def _own_contact(
    session: AsyncSession,
    client: Client,
    channel: str,
    user_id: str,
    display_name: str,
    now: datetime,
) -> Contact:
    handle = re.sub(r"[^a-z0-9._-]", "-", f"{channel}-{user_id}".lower())[:100]
    existing = await session.scalar(
        select(Contact).where(Contact.client_id == client.id, Contact.handle == handle)
    )
    if existing is not None:
        return existing
    contact = Contact(
        client_id=client.id,
        handle=handle,
        name=(display_name.strip() or handle)[:200],
        email=None,
        lang=None,
        timezone=None,
        created_at=now,
    )
    session.add(contact)
    await session.flush()
    return contact


async def _bind(
    session: AsyncSession,
    contact: Contact,
    channel: str,
    workspace_id: str,
    user_id: str,
    now: datetime,
) -> None:
    """Link the account to `contact`; an account linked elsewhere moves (the invite says so)."""
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.workspace_id == workspace_id,
            ChannelIdentity.user_id == user_id,
        )
    )
    if identity is None:
        session.add(
            ChannelIdentity(
                contact_id=contact.id,
                channel=channel,
                workspace_id=workspace_id,
                user_id=user_id,
                created_at=now,
            )
        )
    else:
        identity.contact_id = contact.id
