"""The durable outbox: pushed messages are rows first, then sent by whichever worker claims them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.messages import Address, Reply, reply_from_json, reply_to_json
from bot.protocols import Clock, Sender
from bot.storage.db import Database
from bot.storage.models import Message, OutboxItem

log = logging.getLogger(__name__)

PENDING, SENT, FAILED, WITHDRAWN = "pending", "sent", "failed", "withdrawn"
MAX_ATTEMPTS = 8


class SqlOutbox:
    """Implements the Outbox protocol; `deliver` sends what is due through channel Senders."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def enqueue(
        self,
        address: Address,
        reply: Reply,
        *,
        conversation_id: int | None = None,
        key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        now = self._clock.now()
        item = OutboxItem(
            channel=address.channel,
            workspace_id=address.workspace_id,
            chat_id=address.chat_id,
            thread_id=address.thread_id,
            conversation_id=conversation_id,
            reply=reply_to_json(reply),
            state=PENDING,
            attempts=0,
            last_error=None,
            idempotency_key=key,
            available_at=not_before or now,
            created_at=now,
            sent_at=None,
        )
        try:
            async with self._db.session() as session:
                session.add(item)
        except IntegrityError:
            if key is None:
                raise
            return False
        return True

    async def withdraw(self, key: str) -> bool:
        """Take back a message not sent yet (a reminder the client made moot by answering).
        Its key stays taken, so it is not queued again; False when it was sent or never queued."""
        async with self._db.session() as session:
            withdrawn = await session.scalar(
                update(OutboxItem)
                .where(OutboxItem.idempotency_key == key, OutboxItem.state == PENDING)
                .values(state=WITHDRAWN, last_error="withdrawn before sending")
                .returning(OutboxItem.id)
            )
        return withdrawn is not None

    async def deliver(
        self, senders: Mapping[str, Sender], limit: int = 50, chat_id: str | None = None
    ) -> int:
        """Send up to `limit` due messages for the channels in `senders`; returns how many sent.

        `chat_id` narrows delivery to one chat (the console only reaches its own).

        Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers never
        send the same row; a failed send is retried with exponential backoff.
        """
        sent = 0
        async with self._db.session() as session:
            query = (
                select(OutboxItem)
                .where(
                    OutboxItem.state == PENDING,
                    OutboxItem.available_at <= self._clock.now(),
                    OutboxItem.channel.in_(list(senders)),
                )
                .order_by(OutboxItem.available_at, OutboxItem.id)
                .limit(limit)
            )
            if chat_id is not None:
                query = query.where(OutboxItem.chat_id == chat_id)
            if self._db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for item in list(await session.scalars(query)):
                address = Address(item.channel, item.workspace_id, item.chat_id, item.thread_id)
                reply = reply_from_json(item.reply)
                item.attempts += 1
                try:
                    platform_id = await senders[item.channel].send(address, reply)
                except Exception as exc:
                    item.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    delay = timedelta(seconds=min(3600, 5 * 2 ** (item.attempts - 1)))
                    item.available_at = self._clock.now() + delay
                    if item.attempts >= MAX_ATTEMPTS:
                        item.state = FAILED
                    log.warning(
                        "outbox send failed", extra={"item": item.id, "error": item.last_error}
                    )
                    continue
                item.state = SENT
                item.sent_at = self._clock.now()
                sent += 1
                if item.conversation_id is not None:
                    session.add(
                        Message(
                            conversation_id=item.conversation_id,
                            direction="out",
                            channel=item.channel,
                            platform_message_id=None,
                            sender_id="aftercare",
                            sender_name="Aftercare",
                            contact_id=None,
                            text=reply.text,
                            payload={**item.reply, "platform_id": platform_id, "outbox": item.id},
                            state="handled",
                            created_at=self._clock.now(),
                        )
                    )
        return sent


async def pump(
    outbox: SqlOutbox,
    senders: Mapping[str, Sender],
    stop: asyncio.Event,
    interval: float = 1.0,
) -> None:
    """Deliver due outbox rows until `stop` is set; a failing round is logged, not fatal."""
    while not stop.is_set():
        try:
            sent = await outbox.deliver(senders)
        except Exception:
            log.exception("outbox delivery round failed")
            sent = 0
        if sent == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
