"""Who a proactive message reaches: a client's contacts, each at the chat they use, in their
language and timezone. Follow-ups, surveys and announcements all address people through this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Lang
from bot.core.messages import Address, Channel, Reply
from bot.core.protocols import Outbox
from bot.core.quiet import WakingHours
from bot.storage.models import ChannelIdentity, Contact, Conversation


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    client_id: int
    name: str
    lang: Lang
    timezone: str
    address: Address
    conversation_id: int | None


async def recipients(
    session: AsyncSession,
    client_id: int,
    *,
    timezone: str,
    contact_id: int | None = None,
) -> list[Recipient]:
    """Every reachable contact of `client_id` (or just `contact_id`), ordered by id.

    A contact is reached in its most recent private conversation with the bot; one that never
    wrote is reached through its first linked chat account. Contacts with neither are skipped.
    `timezone` is the fallback (usually the project's) for contacts without their own.
    """
    query = select(Contact).where(Contact.client_id == client_id).order_by(Contact.id)
    if contact_id is not None:
        query = query.where(Contact.id == contact_id)
    found: list[Recipient] = []
    for contact in await session.scalars(query):
        address, conversation_id = await _address(session, contact.id)
        if address is None:
            continue
        found.append(
            Recipient(
                contact_id=contact.id,
                client_id=contact.client_id,
                name=contact.name,
                lang="zh" if contact.lang == "zh" else "en",
                timezone=contact.timezone or timezone,
                address=address,
                conversation_id=conversation_id,
            )
        )
    return found


async def _address(session: AsyncSession, contact_id: int) -> tuple[Address | None, int | None]:
    conversation = await session.scalar(
        select(Conversation)
        .where(Conversation.contact_id == contact_id, Conversation.thread_id == "")
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    if conversation is not None:
        address = Address(conversation.channel, conversation.workspace_id, conversation.chat_id)
        return address, conversation.id
    identity = await session.scalar(
        select(ChannelIdentity)
        .where(ChannelIdentity.contact_id == contact_id)
        .order_by(ChannelIdentity.id)
        .limit(1)
    )
    if identity is None:
        return None, None
    # Slack and Telegram both accept a user id as the chat of a direct message.
    chat = (
        f"console:{identity.user_id}" if identity.channel == Channel.CONSOLE else identity.user_id
    )
    return Address(identity.channel, identity.workspace_id, chat), None


async def push_when_awake(
    outbox: Outbox,
    waking: WakingHours,
    now: datetime,
    person: Recipient,
    reply: Reply,
    key: str,
) -> bool:
    """Queue `reply` for `person`, held until their waking hours; `key` makes it once only
    (False when it was queued before). Follow-ups, training and announcements push this way."""
    return await outbox.enqueue(
        person.address,
        reply,
        conversation_id=person.conversation_id,
        key=key,
        not_before=waking.next(now, person.timezone),
    )
