"""Effectively-once delivery on SQLite and PostgreSQL: one message per claim, never two
deliverers on one message, one repeat at most after a crash, in order per chat, 429 waited out."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import RateLimitedError
from bot.core.messages import Address, Reply
from bot.core.outbox import PENDING, SENDING, SENT, SqlOutbox, pump


class RecordingSender:
    """Records every send; optionally slow, so concurrent deliverers overlap."""

    def __init__(self, delay: float = 0.0) -> None:
        self.sent: list[tuple[str, str]] = []
        self.delay = delay

    async def send(self, address: Address, reply: Reply) -> str | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append((address.chat_id, reply.text))
        return str(len(self.sent))


def _outbox(app: App, clock: FakeClock, worker: str, lease: int = 60) -> SqlOutbox:
    return SqlOutbox(app.db, clock, worker_id=worker, lease=timedelta(seconds=lease))


async def test_many_deliverers_send_each_message_exactly_once(app: App, clock: FakeClock) -> None:
    for n in range(60):
        await app.outbox.enqueue(Address("slack", "T", f"D{n % 12}"), Reply(f"m{n}"))
    sender = RecordingSender(delay=0.002)
    stop = asyncio.Event()
    deliverers = [_outbox(app, clock, f"w{i}") for i in range(3)]
    tasks = [
        asyncio.create_task(pump(d, {"slack": sender}, stop, 0.02, concurrency=3))
        for d in deliverers
    ]
    for _ in range(500):
        if len(sender.sent) >= 60 and (await app.outbox.backlog())["due"] == 0:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.gather(*tasks)
    assert sorted(Counter(text for _, text in sender.sent).values()) == [1] * 60
    for chat in {c for c, _ in sender.sent}:  # each chat in the order queued
        texts = [int(t[1:]) for c, t in sender.sent if c == chat]
        assert texts == sorted(texts)


async def test_a_deliverer_dying_mid_send_repeats_that_one_message(
    app: App, clock: FakeClock
) -> None:
    await app.outbox.enqueue(Address("slack", "T", "D1"), Reply("first"))
    await app.outbox.enqueue(Address("slack", "T", "D2"), Reply("second"))
    dying = _outbox(app, clock, "dies", lease=60)
    claimed = await dying.claim(["slack"])  # ... sent, then killed before marking it
    assert claimed is not None
    survivor = _outbox(app, clock, "lives")
    sender = RecordingSender()
    assert await survivor.deliver({"slack": sender}) == 1  # the other message only
    clock.advance(timedelta(seconds=61))
    assert await survivor.deliver({"slack": sender}) == 1  # the lease ran out: sent again
    assert sorted(t for _, t in sender.sent) == ["first", "second"]
    assert await survivor.deliver({"slack": sender}) == 0


async def test_a_held_message_does_not_block_the_chat(app: App, clock: FakeClock) -> None:
    chat = Address("slack", "T", "D1")
    await app.outbox.enqueue(chat, Reply("tomorrow"), not_before=clock.now() + timedelta(hours=9))
    await app.outbox.enqueue(chat, Reply("now"))
    sender = RecordingSender()
    assert await app.outbox.deliver({"slack": sender}) == 1
    assert sender.sent == [("D1", "now")]
    assert (await app.outbox.backlog()) == {"due": 0, "held": 1, "sending": 0}


class LimitedSender:
    def __init__(self) -> None:
        self.calls = 0

    async def send(self, address: Address, reply: Reply) -> str | None:
        self.calls += 1
        if self.calls == 1:
            raise RateLimitedError(7, "Slack")
        return "ts"


async def test_429_waits_retry_after_without_counting_an_attempt(
    app: App, clock: FakeClock
) -> None:
    await app.outbox.enqueue(Address("slack", "T", "D1"), Reply("hello"), key="k")
    sender = LimitedSender()
    assert await app.outbox.deliver({"slack": sender}) == 0
    assert await app.outbox.deliver({"slack": sender}) == 0  # paused, and not due
    clock.advance(timedelta(seconds=6))
    assert await app.outbox.deliver({"slack": sender}) == 0
    clock.advance(timedelta(seconds=2))
    assert await app.outbox.deliver({"slack": sender}) == 1
    async with app.db.session() as session:
        from sqlalchemy import select

        from bot.storage.models import OutboxItem

        item = await session.scalar(select(OutboxItem))
    assert item is not None and item.state == SENT and item.attempts == 1


async def test_states_while_sending(app: App, clock: FakeClock) -> None:
    await app.outbox.enqueue(Address("slack", "T", "D1"), Reply("x"))
    assert (await app.outbox.backlog())["due"] == 1
    held = await _outbox(app, clock, "w").claim(["slack"])
    assert held is not None
    assert await app.outbox.backlog() == {"due": 0, "held": 0, "sending": 1}
    assert PENDING != SENDING
