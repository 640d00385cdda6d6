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

from bot.core.directory import chat_identity, client_by_ref, contact_of_client, find_contact
from bot.core.engine import Context
from bot.core.errors import AftercareError, InvalidInputError
from bot.core.i18n import Lang, Phrases, say, t
from bot.core.messages import Reply
from bot.core.protocols import Clock
from bot.features.invites.models import Invite
from bot.storage.db import Database
from bot.storage.models import ChannelIdentity, Client, Contact

MAX_DAYS = 90
_CODE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

_PHRASES: Phrases = {
    "how_to_join": {
        "en": (
            "Hello! I'm Aftercare, the support assistant of your project team. This chat is not "
            "linked to a client yet, so I can't show tickets or project details here. Ask your "
            "project contact for an invite code, then send /start followed by the code."
        ),
        "zh": (
            "您好！我是 Aftercare，项目团队的售后支持助手。此聊天尚未关联到客户，因此无法在这里查看"
            "工单或项目信息。请向项目联系人索取邀请码，然后发送 /start 加邀请码。"
        ),
    },
    "welcome": {
        "en": "Welcome, {name}! This chat is now linked to {client}. Ask me anything, or type /help.",
        "zh": "欢迎，{name}！此聊天已关联到 {client}。请直接提问，或输入 /help 查看可用命令。",
    },
    "welcome_group": {
        "en": (
            "This group is now linked to {client}. Mention me or reply to one of my messages "
            "to ask something; /help lists the commands."
        ),
        "zh": "此群组已关联到 {client}。提到我或回复我的消息即可提问；输入 /help 查看可用命令。",
    },
    "unknown": {
        "en": "I don't recognise that invite code. Check it, or ask your project contact for a new one.",
        "zh": "无法识别该邀请码。请检查后重试，或向项目联系人索取新的邀请码。",
    },
    "used": {
        "en": "That invite code has already been used. Ask your project contact for a new one.",
        "zh": "该邀请码已被使用。请向项目联系人索取新的邀请码。",
    },
    "expired": {
        "en": "That invite code expired on {date}. Ask your project contact for a new one.",
        "zh": "该邀请码已于 {date} 过期。请向项目联系人索取新的邀请码。",
    },
}


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


class InviteChat:
    """`/start` in chat: with a code it redeems the invite; without one it explains how to join."""

    def __init__(self, invites: InviteService) -> None:
        self._invites = invites

    async def start(self, ctx: Context, args: str) -> list[Reply]:
        code = args.strip().split()[0] if args.strip() else ""
        if not code:
            if ctx.turn.client_id is None:
                return [Reply(say(_PHRASES, "how_to_join", ctx.lang), kind="not_linked")]
            return [Reply(t("help", ctx.lang), kind="help")]
        message = ctx.turn.message
        user_id = chat_identity(message.chat_id) if message.group else message.sender_id
        try:
            joined = await self._invites.redeem(
                code, message.channel, message.workspace_id, user_id, message.sender_name
            )
        except InviteError as exc:
            return [
                Reply(_refusal(exc, ctx.lang), kind="invite_refused", meta={"reason": exc.reason})
            ]
        key = "welcome_group" if message.group else "welcome"
        text = say(_PHRASES, key, ctx.lang, name=joined.contact, client=joined.client)
        return [Reply(text, kind="invite_accepted")]


def _refusal(exc: InviteError, lang: Lang) -> str:
    if exc.reason == "expired" and exc.expired_at is not None:
        return say(_PHRASES, "expired", lang, date=exc.expired_at.date().isoformat())
    return say(_PHRASES, exc.reason if exc.reason in ("used", "expired") else "unknown", lang)
