"""The durable outbox: pushed messages are rows first, then sent by whichever deliverer claims them.

Effectively once: a deliverer claims ONE message (`sending`, with a lease), sends it, and marks
it sent in its own transaction right after the platform accepted it. A deliverer that dies
between the send and the mark leaves one message whose lease runs out and which is sent again:
at most one repeat per deliverer, on SQLite and PostgreSQL alike. Deliverers are the pump's
lanes and each turn sending its own answers (`add_turn`, `send_claimed`). One chat's messages
go out in order, one at a time; a 429 is retried after the platform's Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.errors import RateLimitedError
from bot.core.messages import Address, Reply, reply_from_json, reply_to_json
from bot.core.metrics import Metrics
from bot.core.protocols import Clock, Sender
from bot.core.uncancelled import uncancelled
from bot.storage.db import Database
from bot.storage.models import Message, OutboxItem

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, WITHDRAWN = "pending", "sending", "sent", "failed", "withdrawn"
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claimed:
    """A message this deliverer holds: where it goes, what it says, the attempt number."""

    id: int
    address: Address
    reply: Reply
    conversation_id: int | None
    attempts: int


def _holds_up_its_chat(item: Any, now: datetime) -> Any:
    """A message later ones of its chat wait for: in flight, or due and not yet sent."""
    return or_(item.state == SENDING, and_(item.state == PENDING, item.available_at <= now))


def bot_said(
    conversation_id: int, channel: str, reply: Reply, at: datetime, **noted: Any
) -> dict[str, Any]:
    """The conversation log's row for what the bot said; `noted` goes into its payload."""
    return {
        "conversation_id": conversation_id,
        "direction": "out",
        "channel": channel,
        "platform_message_id": None,
        "sender_id": "aftercare",
        "sender_name": "Aftercare",
        "contact_id": None,
        "text": reply.text,
        "payload": {**reply_to_json(reply), **noted},
        "state": "handled",
        "created_at": at,
    }


class SqlOutbox:
    """Implements the Outbox protocol; `deliver_one` sends one due message through a Sender."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        worker_id: str = "outbox",
        lease: timedelta = timedelta(seconds=60),
        metrics: Metrics | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.worker_id = worker_id
        self.lease = lease
        self._metrics = metrics
        # Set when this process queues something, so its deliverers start at once.
        self.wake = asyncio.Event()
        self._paused: dict[str, datetime] = {}  # channel -> rate limited until
        self._senders: dict[str, Sender] = {}  # channels this process delivers to

    def attach(self, senders: Mapping[str, Sender]) -> None:
        """The channels this process sends to (a runner's adapters); a turn's answers to one
        of them are claimed as they are queued and sent at once by the turn (`add_turn`)."""
        self._senders.update(senders)

    async def add_turn(
        self, session: AsyncSession, address: Address, replies: list[Reply]
    ) -> list[Claimed]:
        """Queue a turn's replies in the turn's transaction. When this process sends to that
        channel and nothing earlier for the chat is due or in flight, they are claimed by this
        deliverer right away; send those with `send_claimed` after the commit. The rest wait
        for the deliverers (call `notify()` after the commit)."""
        now = self._clock.now()
        channel = address.channel
        direct = channel in self._senders and self._paused.get(channel, now) <= now
        if direct:
            direct = not await session.scalar(
                select(
                    exists().where(
                        OutboxItem.chat_id == address.chat_id,
                        OutboxItem.channel == channel,
                        _holds_up_its_chat(OutboxItem, now),
                    )
                )
            )
        rows = []
        for reply in replies:
            row = self.add(session, address, reply)
            if direct:
                row.state, row.attempts = SENDING, 1
                row.locked_by, row.locked_until = self.worker_id, now + self.lease
            rows.append((row, reply))
        if not direct:
            return []
        await session.flush()
        return [Claimed(row.id, address, reply, None, 1) for row, reply in rows]

    async def send_claimed(self, items: list[Claimed]) -> None:
        """Send messages this deliverer claimed (a turn's answers), in order."""
        for item in items:
            await self._send(item, self._senders)

    def add(
        self,
        session: AsyncSession,
        address: Address,
        reply: Reply,
        *,
        conversation_id: int | None = None,
        key: str | None = None,
        not_before: datetime | None = None,
    ) -> OutboxItem:
        """Queue inside the caller's transaction; call `notify()` after the commit."""
        now = self._clock.now()
        row = OutboxItem(
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
        session.add(row)
        return row

    def notify(self) -> None:
        self.wake.set()

    async def enqueue(
        self,
        address: Address,
        reply: Reply,
        *,
        conversation_id: int | None = None,
        key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        try:
            async with self._db.session() as session:
                self.add(
                    session,
                    address,
                    reply,
                    conversation_id=conversation_id,
                    key=key,
                    not_before=not_before,
                )
        except IntegrityError:
            if key is None:
                raise
            return False
        self.notify()
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

    async def claim(self, channels: Collection[str], chat_id: str | None = None) -> Claimed | None:
        """Lease the next due message of a chat with nothing earlier due or in flight."""
        now = self._clock.now()
        channels = [c for c in channels if self._paused.get(c, now) <= now]
        if not channels:
            return None
        # The head of its chat: the lowest id there in flight or due (a probe of the index of
        # unsent messages per candidate, whatever the planner's statistics say).
        earlier = aliased(OutboxItem)
        head = (
            select(func.min(earlier.id))
            .where(
                earlier.chat_id == OutboxItem.chat_id,
                earlier.state.in_((PENDING, SENDING)),
                earlier.channel == OutboxItem.channel,
                _holds_up_its_chat(earlier, now),
            )
            .scalar_subquery()
        )
        due = (
            select(OutboxItem.id)
            .where(
                OutboxItem.channel.in_(channels),
                or_(
                    and_(OutboxItem.state == PENDING, OutboxItem.available_at <= now),
                    and_(OutboxItem.state == SENDING, OutboxItem.locked_until < now),
                ),
                OutboxItem.id == head,
            )
            .order_by(OutboxItem.available_at, OutboxItem.id)
            .limit(1)
        )
        if chat_id is not None:
            due = due.where(OutboxItem.chat_id == chat_id)
        statement = self._db.lease(
            OutboxItem, due, state=SENDING, by=self.worker_id, until=now + self.lease
        ).returning(
            OutboxItem.id,
            OutboxItem.channel,
            OutboxItem.workspace_id,
            OutboxItem.chat_id,
            OutboxItem.thread_id,
            OutboxItem.conversation_id,
            OutboxItem.reply,
            OutboxItem.attempts,
        )
        async with self._db.connection() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            return None
        address = Address(row.channel, row.workspace_id, row.chat_id, row.thread_id)
        return Claimed(
            row.id, address, reply_from_json(row.reply), row.conversation_id, row.attempts
        )

    async def deliver_one(
        self, senders: Mapping[str, Sender], chat_id: str | None = None
    ) -> str | None:
        """Claim, send and mark one message. None when nothing was due; else the message's new
        state: SENT, or PENDING (to be retried) or FAILED (gave up)."""
        item = await self.claim(list(senders), chat_id)
        if item is None:
            return None
        # A stop must not cut between the platform's answer and the record of it.
        return await uncancelled(self._send(item, senders))

    async def _send(self, item: Claimed, senders: Mapping[str, Sender]) -> str:
        """Send one claimed message and record the outcome: SENT, PENDING or FAILED."""
        try:
            platform_id = await senders[item.address.channel].send(item.address, item.reply)
        except RateLimitedError as exc:
            return await self._rate_limited(item, exc)
        except Exception as exc:
            return await self._failed(item, f"{type(exc).__name__}: {exc}")
        await self._mark_sent(item, platform_id)
        return SENT

    async def deliver(
        self, senders: Mapping[str, Sender], limit: int = 50, chat_id: str | None = None
    ) -> int:
        """Deliver up to `limit` due messages one by one; returns how many were sent.

        `chat_id` narrows delivery to one chat (the console only reaches its own).
        """
        sent = 0
        for _ in range(limit):
            outcome = await self.deliver_one(senders, chat_id)
            if outcome is None:
                break
            sent += outcome == SENT
        return sent

    async def backlog(self) -> dict[str, int]:
        """Messages due now, held for later (quiet hours, backoff), and in flight."""
        now = self._clock.now()
        async with self._db.session() as session:
            due = func.sum(case((OutboxItem.available_at <= now, 1), else_=0))
            rows = await session.execute(
                select(OutboxItem.state, func.count(), due)
                .where(OutboxItem.state.in_((PENDING, SENDING)))
                .group_by(OutboxItem.state)
            )
            counts = {"due": 0, "held": 0, "sending": 0}
            for state, total, now_due in rows.all():
                if state == SENDING:
                    counts["sending"] = int(total)
                else:
                    counts["due"], counts["held"] = int(now_due), int(total) - int(now_due)
        return counts

    async def _mark_sent(self, item: Claimed, platform_id: str | None) -> None:
        """The platform has the message: record that, retrying through a database hiccup for
        up to half the lease, since a message left `sending` is sent again when it expires."""
        deadline = asyncio.get_running_loop().time() + self.lease.total_seconds() / 2
        delay = 0.25
        while True:
            try:
                await self._sent(item, platform_id)
                return
            except Exception as exc:
                if asyncio.get_running_loop().time() + delay > deadline:
                    raise
                log.warning(
                    "outbox: sent but not yet recorded, retrying",
                    extra={"item": item.id, "error": type(exc).__name__},
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 4.0)

    async def _sent(self, item: Claimed, platform_id: str | None) -> None:
        now = self._clock.now()
        async with self._db.connection() as connection:
            await connection.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item.id)
                .values(state=SENT, sent_at=now, last_error=None, locked_by=None, locked_until=None)
            )
            if item.conversation_id is not None:
                said = bot_said(
                    item.conversation_id,
                    item.address.channel,
                    item.reply,
                    now,
                    platform_id=platform_id,
                    outbox=item.id,
                )
                await connection.execute(insert(Message).values(**said))
        if self._metrics is not None:
            self._metrics.outbox_sent.labels(item.address.channel).inc()

    async def _failed(self, item: Claimed, error: str) -> str:
        state = FAILED if item.attempts >= MAX_ATTEMPTS else PENDING
        delay = timedelta(seconds=min(3600, 5 * 2 ** (item.attempts - 1)))
        await self._release(item, state, error, delay, counted=True)
        log.warning("outbox send failed", extra={"item": item.id, "error": error[:300]})
        if self._metrics is not None:
            self._metrics.outbox_failed.labels(item.address.channel, "error").inc()
        return state

    async def _rate_limited(self, item: Claimed, exc: RateLimitedError) -> str:
        """Not a failure: wait as long as the platform asked, the attempt not counted, and
        pause this channel's deliveries from this process meanwhile."""
        delay = timedelta(seconds=max(1.0, exc.retry_after))
        self._paused[item.address.channel] = self._clock.now() + delay
        await self._release(item, PENDING, str(exc), delay, counted=False)
        log.info("outbox rate limited", extra={"item": item.id, "retry_after": exc.retry_after})
        if self._metrics is not None:
            self._metrics.outbox_failed.labels(item.address.channel, "rate_limited").inc()
        return PENDING

    async def _release(
        self, item: Claimed, state: str, error: str, delay: timedelta, *, counted: bool
    ) -> None:
        async with self._db.connection() as connection:
            await connection.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item.id, OutboxItem.state == SENDING)
                .values(
                    state=state,
                    last_error=error[:500],
                    available_at=self._clock.now() + delay,
                    attempts=OutboxItem.attempts if counted else OutboxItem.attempts - 1,
                    locked_by=None,
                    locked_until=None,
                )
            )


async def pump(
    outbox: SqlOutbox,
    senders: Mapping[str, Sender],
    stop: asyncio.Event,
    interval: float = 1.0,
    *,
    concurrency: int = 1,
) -> None:
    """Deliver due outbox rows until `stop` is set, `concurrency` lanes at a time; each lane
    holds one message at most, so a crash repeats at most `concurrency` messages."""

    async def lane() -> None:
        while not stop.is_set():
            outbox.wake.clear()
            try:
                busy = await outbox.deliver_one(senders) is not None
            except Exception as exc:
                log.warning("outbox delivery round failed", extra={"error": type(exc).__name__})
                busy = False
            if not busy:
                waker = asyncio.create_task(outbox.wake.wait())
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait(
                    {waker, stopper}, timeout=interval, return_when=asyncio.FIRST_COMPLETED
                )
                waker.cancel()
                stopper.cancel()

    await asyncio.gather(*(lane() for _ in range(max(1, concurrency))))
