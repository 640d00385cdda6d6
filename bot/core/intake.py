"""Durable intake: a platform event is a row before it is acknowledged, then processed with a lease.

Slack and Telegram stop retrying once they get a 200, so an adapter records the event here
first (unique by its platform key; a redelivery finds its row) and only then answers. Any
`serve`, `worker` or `run` process claims events with a lease it renews while it works; a
process that stops hands its events back, one that dies simply lets its lease run out, and
the event is processed again. One chat's events are processed in order, one at a time.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from bot.core.metrics import Metrics
from bot.core.protocols import Clock
from bot.storage.db import Database, insert_for
from bot.storage.models_intake import InboundEvent

log = logging.getLogger(__name__)

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"
UNFINISHED = (PENDING, PROCESSING)
_BACKOFF_CAP = 60.0


@dataclass(frozen=True)
class Event:
    """An inbound event as a processor gets it."""

    id: int
    channel: str
    key: str
    body: dict[str, Any]
    attempts: int


# The events the current processing task has already marked done inside another transaction
# (a turn marks its event done with its replies), so the processor skips a second write.
_completed: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar(
    "completed", default=None
)


async def mark_done(db: AsyncConnection | AsyncSession, event_id: int, now: datetime) -> None:
    """Mark an event processed in the caller's transaction (a turn's, or the processor's):
    its body goes (it may hold an invite code), its key stays to recognise a redelivery."""
    await db.execute(
        update(InboundEvent)
        .where(InboundEvent.id == event_id)
        .values(
            state=DONE,
            body=None,
            last_error=None,
            locked_by=None,
            locked_until=None,
            finished_at=now,
        )
    )
    completed = _completed.get()
    if completed is not None:
        completed.add(event_id)


def _head_of(chat_key: Any) -> Any:
    """The head of a chat (a key, or the column for each candidate row): its lowest unfinished
    event id, found by one index probe whatever the planner's statistics say."""
    earlier = aliased(InboundEvent)
    return (
        select(func.min(earlier.id))
        .where(earlier.chat_key == chat_key, earlier.state.in_(UNFINISHED))
        .scalar_subquery()
    )


@dataclass(frozen=True)
class EventInfo:
    """An inbound event as `aftercare events list` shows it (never its body)."""

    id: int
    channel: str
    key: str
    state: str
    attempts: int
    received_at: datetime
    last_error: str | None


Processor = Callable[[Event], Awaitable[None]]


class Intake:
    """The inbound event queue on the shared database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        worker_id: str,
        lease: timedelta = timedelta(seconds=30),
        max_attempts: int = 10,
        metrics: Metrics | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.worker_id = worker_id
        self.lease = lease
        self.max_attempts = max_attempts
        self._metrics = metrics
        # Set when this process records an event, so its own processor starts at once;
        # other processes find the event on their next poll.
        self.wake = asyncio.Event()
        # Events recorded here and claimed for this process's processor at once, and how
        # many more it can take now (process() keeps these; 0 when no processor runs).
        self.local: asyncio.Queue[Event] = asyncio.Queue()
        self.free = 0
        self.local_channels: frozenset[str] = frozenset()

    async def record(self, channel: str, key: str, chat_key: str, body: dict[str, Any]) -> bool:
        """Store an event before it is acknowledged; False when its key was recorded before.

        When this process's processor has a free slot and the chat has nothing earlier
        unfinished, the event is claimed in the same transaction and handed to it directly
        (no second round trip to claim it). Raises whatever the database raises: the caller
        must then not acknowledge.
        """
        now = self._clock.now()
        values = {
            "channel": channel,
            "key": key[:200],
            "chat_key": chat_key[:200],
            "body": body,
            "state": PENDING,
            "attempts": 0,
            "available_at": now,
            "received_at": now,
        }
        statement = (
            insert_for(self._db.dialect, InboundEvent)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(InboundEvent.id)
        )
        take = channel in self.local_channels and self.free > 0
        if take:
            self.free -= 1  # held while the transaction runs, so two requests don't both take it
        claimed = None
        try:
            async with self._db.connection() as connection:
                new_id = await connection.scalar(statement)
                if take and new_id is not None:
                    claimed = await connection.scalar(self._take(new_id, chat_key[:200], now))
        finally:
            if take and claimed is None:
                self.free += 1
        if self._metrics is not None:
            outcome = "new" if new_id is not None else "duplicate"
            self._metrics.events_received.labels(channel, outcome).inc()
        if claimed is not None:
            self.local.put_nowait(Event(claimed, channel, key, body, 1))
        if new_id is not None:
            self.wake.set()
        return new_id is not None

    def _take(self, event_id: int, chat_key: str, now: datetime) -> Any:
        """Claim a just-recorded event for this process, if it is the head of its chat."""
        head = _head_of(chat_key)
        return (
            update(InboundEvent)
            .where(InboundEvent.id == event_id, InboundEvent.id == head)
            .values(
                state=PROCESSING,
                attempts=1,
                locked_by=self.worker_id,
                locked_until=now + self.lease,
            )
            .returning(InboundEvent.id)
        )

    async def claim(self, channels: Collection[str], limit: int = 1) -> list[Event]:
        """Lease up to `limit` events: the oldest of each chat whose earlier events are done.

        One statement (UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING),
        so concurrent processes never take the same event, on PostgreSQL or SQLite.
        """
        if not channels or limit < 1:
            return []
        now = self._clock.now()
        head = _head_of(InboundEvent.chat_key)
        due = (
            select(InboundEvent.id)
            .where(
                InboundEvent.channel.in_(list(channels)),
                or_(
                    and_(InboundEvent.state == PENDING, InboundEvent.available_at <= now),
                    and_(InboundEvent.state == PROCESSING, InboundEvent.locked_until < now),
                ),
                InboundEvent.id == head,
            )
            .order_by(InboundEvent.id)
            .limit(limit)
        )
        statement = self._db.lease(
            InboundEvent, due, state=PROCESSING, by=self.worker_id, until=now + self.lease
        ).returning(
            InboundEvent.id,
            InboundEvent.channel,
            InboundEvent.key,
            InboundEvent.body,
            InboundEvent.attempts,
        )
        async with self._db.connection() as connection:
            rows = (await connection.execute(statement)).all()
        events = [Event(r.id, r.channel, r.key, dict(r.body or {}), r.attempts) for r in rows]
        return sorted(events, key=lambda e: e.id)

    async def renew(self, ids: Collection[int]) -> None:
        """Extend the lease of events this process is still working on."""
        await self._update_held(ids, locked_until=self._clock.now() + self.lease)

    async def done(self, event: Event) -> None:
        """Processed: the body goes (it may hold an invite code), the key stays for dedupe."""
        async with self._db.connection() as connection:
            await mark_done(connection, event.id, self._clock.now())

    async def fail(self, event: Event, error: str) -> bool:
        """Retry later with backoff, or dead-letter after max_attempts; True when dead."""
        now = self._clock.now()
        dead = event.attempts >= self.max_attempts
        backoff = timedelta(seconds=min(_BACKOFF_CAP, 2.0 ** (event.attempts - 1)))
        async with self._db.connection() as connection:
            await connection.execute(
                update(InboundEvent)
                .where(InboundEvent.id == event.id, InboundEvent.state == PROCESSING)
                .values(
                    state=DEAD if dead else PENDING,
                    last_error=error[:1000],
                    available_at=now if dead else now + backoff,
                    locked_by=None,
                    locked_until=None,
                    finished_at=now if dead else None,
                )
            )
        return dead

    async def release(self, ids: Collection[int]) -> None:
        """Hand events back unfinished (a graceful stop): due now, the attempt not counted."""
        await self._update_held(
            ids,
            state=PENDING,
            attempts=InboundEvent.attempts - 1,
            available_at=self._clock.now(),
            locked_by=None,
            locked_until=None,
        )

    async def _update_held(self, ids: Collection[int], **values: Any) -> None:
        """Change the events of `ids` that this process still holds (its lease not taken over)."""
        if not ids:
            return
        async with self._db.connection() as connection:
            await connection.execute(
                update(InboundEvent)
                .where(
                    InboundEvent.id.in_(list(ids)),
                    InboundEvent.state == PROCESSING,
                    InboundEvent.locked_by == self.worker_id,
                )
                .values(**values)
            )

    async def events(self, *, state: str | None = None, limit: int = 100) -> list[EventInfo]:
        """Events newest first; `state` narrows to one (dead: the dead-lettered ones)."""
        query = select(InboundEvent).order_by(InboundEvent.id.desc()).limit(limit)
        if state is not None:
            query = query.where(InboundEvent.state == state)
        async with self._db.session() as session:
            rows = await session.scalars(query)
            return [
                EventInfo(r.id, r.channel, r.key, r.state, r.attempts, r.received_at, r.last_error)
                for r in rows
            ]

    async def retry_dead(self, event_id: int | None = None) -> int:
        """Queue dead-lettered events again (one, or all); returns how many."""
        query = update(InboundEvent).where(InboundEvent.state == DEAD)
        if event_id is not None:
            query = query.where(InboundEvent.id == event_id)
        async with self._db.session() as session:
            result = await session.execute(
                query.values(
                    state=PENDING, attempts=0, available_at=self._clock.now(), finished_at=None
                )
            )
        return int(getattr(result, "rowcount", 0))

    async def prune(self, older_than: timedelta) -> int:
        """Forget processed events finished before `older_than` ago; returns how many."""
        async with self._db.session() as session:
            result = await session.execute(
                delete(InboundEvent).where(
                    InboundEvent.state == DONE,
                    InboundEvent.finished_at < self._clock.now() - older_than,
                )
            )
        return int(getattr(result, "rowcount", 0))

    async def backlog(self) -> dict[str, int]:
        """How many events are in each unfinished state (for /metrics and tests)."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(InboundEvent.state, func.count())
                .where(InboundEvent.state.in_((PENDING, PROCESSING, DEAD)))
                .group_by(InboundEvent.state)
            )
            counts = {str(state): int(n) for state, n in rows.all()}
        return {state: counts.get(state, 0) for state in (PENDING, PROCESSING, DEAD)}


async def process(
    intake: Intake,
    processors: Mapping[str, Processor],
    stop: asyncio.Event,
    *,
    concurrency: int = 8,
    interval: float = 0.5,
    drain_seconds: float = 20.0,
    metrics: Metrics | None = None,
) -> None:
    """Claim and process events until `stop` is set, at most `concurrency` at a time.

    On stop nothing new is claimed; work in hand gets `drain_seconds` to finish, and what is
    still unfinished then is cancelled and handed back for another process to take.
    """
    held: dict[int, Event] = {}
    running: set[asyncio.Task[None]] = set()

    async def run(event: Event) -> None:
        started = time.perf_counter()
        completed: set[int] = set()
        _completed.set(completed)
        try:
            processor = processors.get(event.channel)
            if processor is None:
                raise LookupError(f"no processor for channel {event.channel!r}")
            await processor(event)
        except asyncio.CancelledError:
            raise  # still held: handed back when the loop stops
        except Exception as exc:
            held.pop(event.id, None)
            error = f"{type(exc).__name__}: {exc}"
            log.warning("inbound event failed", extra={"event": event.id, "error": error[:300]})
            if metrics is not None:
                metrics.events_failed.labels(event.channel).inc()
            with _logged("could not record the failure of an inbound event"):
                if await intake.fail(event, error):
                    log.error("inbound event dead-lettered", extra={"event": event.id})
        else:
            held.pop(event.id, None)
            if metrics is not None:
                metrics.events_processed.labels(event.channel).inc()
                metrics.turn_seconds.labels(event.channel).observe(time.perf_counter() - started)
            if event.id not in completed:
                with _logged("could not mark an inbound event done"):
                    await intake.done(event)

    async def heartbeat() -> None:
        period = max(1.0, intake.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(period)
            with _logged("could not renew inbound leases"):
                await intake.renew(list(held))

    ready: collections.deque[Event] = collections.deque()  # claimed at intake, not started

    def spawn(event: Event) -> None:
        held[event.id] = event
        task = asyncio.create_task(run(event))
        running.add(task)
        task.add_done_callback(finished)

    def finished(task: asyncio.Task[None]) -> None:
        running.discard(task)
        offer()

    def offer() -> None:
        """Tell intake how many events it may hand this processor straight from a request."""
        if not stop.is_set():
            intake.free = max(0, concurrency - len(running) - len(ready) - intake.local.qsize())

    def take_local() -> None:
        while not intake.local.empty():
            event = intake.local.get_nowait()
            held[event.id] = event
            ready.append(event)
        while ready and len(running) < concurrency:
            spawn(ready.popleft())

    intake.local_channels = frozenset(processors)
    offer()
    beat = asyncio.create_task(heartbeat())
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            take_local()
            free = concurrency - len(running) - len(ready)
            offer()
            if free <= 0:
                await asyncio.wait({*running, stopping}, return_when=asyncio.FIRST_COMPLETED)
                continue
            intake.wake.clear()
            try:
                events = await intake.claim(list(processors), free)
            except Exception as exc:
                log.warning("inbound claim failed", extra={"error": f"{type(exc).__name__}"})
                events = []
            for event in events:
                spawn(event)
            offer()
            if len(events) < free and intake.local.empty():
                waker = asyncio.create_task(intake.wake.wait())
                await asyncio.wait(
                    {waker, stopping, *running},
                    timeout=interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waker.cancel()
    finally:
        intake.free, intake.local_channels = 0, frozenset()
        stopping.cancel()
        while not intake.local.empty():
            event = intake.local.get_nowait()
            held[event.id] = event
        if running:
            _, unfinished = await asyncio.wait(set(running), timeout=drain_seconds)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)
        if held:
            log.info("handing back unfinished inbound events", extra={"count": len(held)})
            with _logged("could not hand back inbound events"):
                await intake.release(list(held))


@contextlib.contextmanager
def _logged(what: str) -> Iterator[None]:
    """Log a failure of bookkeeping (the lease will bring the event back) and carry on."""
    try:
        yield
    except Exception as exc:
        log.warning(what, extra={"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
