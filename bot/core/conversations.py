"""The conversation log on SQL: identities resolved, each platform message recorded once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import TEAM_WIDE, chat_identity
from bot.core.i18n import Lang, detect_lang
from bot.core.intake import mark_done
from bot.core.messages import Address, IncomingMessage, Reply
from bot.core.outbox import SqlOutbox, bot_said
from bot.core.protocols import Clock, Turn
from bot.core.uncancelled import uncancelled
from bot.storage.db import Database, insert_for
from bot.storage.models import ChannelIdentity, Contact, Conversation, Message

HANDLED, PROCESSING, FAILED = "handled", "processing", "failed"


class SqlStore:
    """Implements the Store protocol on the shared database; a turn's replies for a platform
    are queued in `outbox` in the transaction that marks the turn handled."""

    def __init__(self, db: Database, clock: Clock, outbox: SqlOutbox) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox

    async def begin_turn(
        self, message: IncomingMessage, *, log_text: str | None = None
    ) -> Turn | None:
        try:
            async with self._db.session() as session:
                return await self._begin(session, message, log_text)
        except IntegrityError:
            # Another worker recorded the same platform message id at the same moment.
            return None

    async def _begin(
        self, session: AsyncSession, message: IncomingMessage, log_text: str | None
    ) -> Turn | None:
        """Three statements in the common case: who is writing, the conversation (created or
        touched), and the message (recorded, or found when it was recorded before)."""
        now = self._clock.now()
        contact, owner = await _sender_contact(session, message)
        conversation_id, flow = await _conversation_for(session, message, owner, now)
        values = {
            "conversation_id": conversation_id,
            "direction": "in",
            "channel": message.channel,
            "platform_message_id": message.platform_message_id,
            "sender_id": message.sender_id,
            "sender_name": message.sender_name,
            "contact_id": contact.id if contact else None,
            "text": message.text if log_text is None else log_text,
            "payload": {"button": message.button_payload} if message.button_payload else None,
            "state": PROCESSING,
            "inbound_id": message.intake_id,
            "created_at": now,
        }
        statement = (
            insert_for(session.get_bind().dialect.name, Message)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
            .returning(Message.id)
        )
        message_id = await session.scalar(statement)
        if message_id is None:
            row = await _existing(session, message)
            if row is None or not _retry(row, message):
                return None
            row.state = PROCESSING
            row.inbound_id = message.intake_id
            message_id = row.id
        lang = detect_lang(message.text, fallback=_lang_of(contact))
        return Turn(
            message=message,
            message_id=message_id,
            conversation_id=conversation_id,
            client_id=contact.client_id if contact else None,
            contact_id=contact.id if contact else None,
            lang=lang,
            flow=dict(flow) if flow else None,
            flow_known=True,
        )

    async def finish_turn(
        self,
        turn: Turn,
        replies: list[Reply],
        *,
        deliver_to: Address | None = None,
        error: str | None = None,
    ) -> None:
        """Record the turn's outcome, mark its event done and send its answers: once begun,
        carried through even if a stop cancels the turn, so nothing is half-recorded or sent
        without its record."""
        await uncancelled(self._finish_turn(turn, replies, deliver_to, error))

    async def _finish_turn(
        self, turn: Turn, replies: list[Reply], deliver_to: Address | None, error: str | None
    ) -> None:
        claimed = []
        async with self._db.session() as session:
            now = self._clock.now()
            if error is None:
                await session.execute(
                    update(Message).where(Message.id == turn.message_id).values(state=HANDLED)
                )
            else:
                inbound = await session.get_one(Message, turn.message_id)
                inbound.state = FAILED
                inbound.payload = {**(inbound.payload or {}), "error": error[:500]}
            for reply in replies:
                session.add(
                    Message(**bot_said(turn.conversation_id, turn.message.channel, reply, now))
                )
            if deliver_to is not None and replies:
                # Logged above as the answer: the outbox need not log it again.
                claimed = await self._outbox.add_turn(session, deliver_to, replies)
            if turn.message.intake_id is not None:
                await mark_done(session, turn.message.intake_id, now)
        if claimed:
            await self._outbox.send_claimed(claimed)
        elif deliver_to is not None and replies:
            self._outbox.notify()

    async def get_flow(self, conversation_id: int) -> dict[str, Any] | None:
        async with self._db.session() as session:
            conversation = await session.get_one(Conversation, conversation_id)
            return dict(conversation.flow) if conversation.flow else None

    async def set_flow(self, conversation_id: int, flow: dict[str, Any] | None) -> None:
        async with self._db.session() as session:
            conversation = await session.get_one(Conversation, conversation_id)
            conversation.flow = flow


async def _sender_contact(
    session: AsyncSession, message: IncomingMessage
) -> tuple[Contact | None, Contact | None]:
    """The sender's contact, and the contact that owns the conversation (one query).

    In a group chat (a Telegram group, a Slack channel) only the chat's own link counts, so
    nobody sees another client's data there (a member of that client still speaks as
    themselves), and the conversation belongs to the chat's contact: a group is never mistaken
    for someone's private chat. Chat ids are unique per platform, so the chat's link is found
    whichever team the sender belongs to (Slack Connect channels are shared by several teams).
    A client's whole Slack team can be linked once (user id "*"), for Slack Connect.
    """
    users = [message.sender_id] + ([TEAM_WIDE] if message.workspace_id else [])
    mine = and_(
        ChannelIdentity.workspace_id == message.workspace_id, ChannelIdentity.user_id.in_(users)
    )
    chat = chat_identity(message.chat_id)
    rows = (
        await session.execute(
            select(Contact, ChannelIdentity.user_id, ChannelIdentity.workspace_id)
            .join(ChannelIdentity, ChannelIdentity.contact_id == Contact.id)
            .where(
                ChannelIdentity.channel == message.channel,
                or_(mine, ChannelIdentity.user_id == chat) if message.group else mine,
            )
            .order_by(ChannelIdentity.id)
        )
    ).all()

    def linked(user: str) -> Contact | None:
        return next((c for c, u, w in rows if u == user and w == message.workspace_id), None)

    contact = linked(message.sender_id) or (linked(TEAM_WIDE) if message.workspace_id else None)
    if not message.group:
        return contact, contact
    group = next((c for c, u, _ in rows if u == chat), None)
    if group is not None and contact is not None and contact.client_id == group.client_id:
        return contact, group
    return group, group


async def _conversation_for(
    session: AsyncSession, message: IncomingMessage, owner: Contact | None, now: datetime
) -> tuple[int, dict[str, Any] | None]:
    """The conversation's id and form state: created, or touched (and claimed by its owner),
    in one upsert that two workers can run at once."""
    owned = {"client_id": owner.client_id, "contact_id": owner.id} if owner is not None else {}
    statement = insert_for(session.get_bind().dialect.name, Conversation).values(
        channel=message.channel,
        workspace_id=message.workspace_id,
        chat_id=message.chat_id,
        thread_id=message.thread_id,
        flow=None,
        created_at=now,
        updated_at=now,
        **owned,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "workspace_id", "chat_id", "thread_id"],
        set_={"updated_at": now, **owned},
    ).returning(Conversation.id, Conversation.flow)
    row = (await session.execute(statement)).one()
    return int(row.id), row.flow


async def _existing(session: AsyncSession, message: IncomingMessage) -> Message | None:
    if message.platform_message_id is None:
        return None
    return await session.scalar(
        select(Message).where(
            Message.channel == message.channel,
            Message.platform_message_id == message.platform_message_id,
        )
    )


def _retry(row: Message, message: IncomingMessage) -> bool:
    """Whether an already recorded platform message is handled again: after a failed turn,
    or when the same inbound event comes back after a crash or a stop mid-turn (its lease ran
    out or was handed back). Anything else is a redelivery or a second click: not again."""
    if row.state == FAILED:
        return True
    return (
        row.state == PROCESSING
        and message.intake_id is not None
        and row.inbound_id == message.intake_id
    )


def _lang_of(contact: Contact | None) -> Lang:
    return "zh" if contact is not None and contact.lang == "zh" else "en"
