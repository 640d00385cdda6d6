"""The durable intake on SQLite and PostgreSQL: recorded once, leased, in order per chat,
retried, dead-lettered, handed back on a stop, taken over after a crash."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.intake import DEAD, DONE, PENDING, Event, Intake, process
from bot.storage.models_intake import InboundEvent


def _intake(app: App, clock: FakeClock, worker: str, **kw: object) -> Intake:
    return Intake(app.db, clock, worker_id=worker, **kw)  # type: ignore[arg-type]


async def _row(app: App, event_id: int) -> InboundEvent:
    async with app.db.session() as session:
        row = await session.get(InboundEvent, event_id)
        assert row is not None
        return row


async def test_an_event_is_recorded_once_by_its_key(app: App) -> None:
    assert await app.intake.record("slack", "slack:event:Ev1", "slack:D1", {"n": 1})
    assert not await app.intake.record("slack", "slack:event:Ev1", "slack:D1", {"n": 2})
    [event] = await app.intake.claim(["slack"], 5)
    assert event.body == {"n": 1} and event.attempts == 1


async def test_one_chat_is_processed_in_order_and_chats_in_parallel(
    app: App, clock: FakeClock
) -> None:
    for n, chat in enumerate(("A", "A", "B")):
        await app.intake.record("slack", f"k{n}", chat, {"n": n})
    first = _intake(app, clock, "w1")
    second = _intake(app, clock, "w2")
    claimed = await first.claim(["slack"], 10)
    assert [e.body["n"] for e in claimed] == [0, 2]  # the head of each chat
    assert await second.claim(["slack"], 10) == []  # A's second waits for its first
    await first.done(claimed[0])
    [next_a] = await second.claim(["slack"], 10)
    assert next_a.body == {"n": 1}


async def test_a_crashed_process_lets_its_lease_run_out(app: App, clock: FakeClock) -> None:
    await app.intake.record("telegram", "telegram:7", "telegram:1", {"update_id": 7})
    dead_process = _intake(app, clock, "w1", lease=timedelta(seconds=30))
    survivor = _intake(app, clock, "w2")
    [held] = await dead_process.claim(["telegram"])
    assert await survivor.claim(["telegram"]) == []
    clock.advance(timedelta(seconds=31))
    [again] = await survivor.claim(["telegram"])
    assert again.id == held.id and again.attempts == 2


async def test_renewed_lease_keeps_the_event(app: App, clock: FakeClock) -> None:
    await app.intake.record("slack", "k", "c", {})
    busy = _intake(app, clock, "w1", lease=timedelta(seconds=30))
    [held] = await busy.claim(["slack"])
    clock.advance(timedelta(seconds=20))
    await busy.renew([held.id])
    clock.advance(timedelta(seconds=20))
    assert await _intake(app, clock, "w2").claim(["slack"]) == []


async def test_failures_back_off_then_dead_letter(app: App, clock: FakeClock) -> None:
    intake = _intake(app, clock, "w1", max_attempts=3)
    await intake.record("slack", "k", "c", {"kept": "for a look"})
    for attempt in (1, 2):
        [event] = await intake.claim(["slack"])
        assert event.attempts == attempt
        assert not await intake.fail(event, "boom")
        assert await intake.claim(["slack"]) == []  # backing off
        clock.advance(timedelta(seconds=2**attempt))
    [event] = await intake.claim(["slack"])
    assert await intake.fail(event, "boom")
    row = await _row(app, event.id)
    assert row.state == DEAD and row.body == {"kept": "for a look"} and row.last_error == "boom"
    assert await intake.retry_dead() == 1
    assert (await _row(app, event.id)).state == PENDING


async def test_done_drops_the_body_and_keeps_the_key(app: App, clock: FakeClock) -> None:
    await app.intake.record("telegram", "telegram:9", "c", {"text": "/start SECRETCODE"})
    [event] = await app.intake.claim(["telegram"])
    await app.intake.done(event)
    row = await _row(app, event.id)
    assert row.state == DONE and row.body is None
    assert not await app.intake.record("telegram", "telegram:9", "c", {})  # still a duplicate
    clock.advance(timedelta(hours=49))
    assert await app.intake.prune(timedelta(hours=48)) == 1


async def test_processing_retries_a_failure_and_finishes(app: App, clock: FakeClock) -> None:
    seen: list[int] = []

    async def flaky(event: Event) -> None:
        seen.append(event.attempts)
        if event.attempts == 1:
            raise ConnectionError("database went away")

    await app.intake.record("slack", "k", "c", {})
    stop = asyncio.Event()
    task = asyncio.create_task(process(app.intake, {"slack": flaky}, stop, interval=0.05))
    for _ in range(250):
        if (await app.intake.backlog())["pending"] == 0 and len(seen) == 2:
            break
        if seen == [1]:
            clock.advance(timedelta(seconds=1))  # past the first backoff (1 s)
        await asyncio.sleep(0.02)
    stop.set()
    await task
    assert seen == [1, 2]
    async with app.db.session() as session:
        assert list(await session.scalars(select(InboundEvent.state))) == [DONE]


async def test_a_stop_drains_then_hands_back_what_is_unfinished(app: App, clock: FakeClock) -> None:
    started = asyncio.Event()
    finished: list[int] = []

    async def slow(event: Event) -> None:
        started.set()
        if event.body.get("slow"):
            await asyncio.sleep(60)
        finished.append(event.id)

    await app.intake.record("slack", "quick", "a", {})
    await app.intake.record("slack", "slow", "b", {"slow": True})
    stop = asyncio.Event()
    task = asyncio.create_task(
        process(app.intake, {"slack": slow}, stop, interval=0.05, drain_seconds=0.3)
    )
    await started.wait()
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(finished) == 1
    backlog = await app.intake.backlog()
    assert backlog == {"pending": 1, "processing": 0, "dead": 0}  # handed back, due now
    [again] = await app.intake.claim(["slack"])
    assert again.body == {"slow": True} and again.attempts == 1  # the attempt not counted


async def test_an_event_recorded_here_goes_straight_to_this_processor_in_chat_order(
    app: App,
) -> None:
    """With a free slot, intake claims the event in the recording transaction and hands it
    over; a chat's later event waits for the earlier one all the same."""
    order: list[str] = []
    gate = asyncio.Event()

    async def slow_first(event: Event) -> None:
        if event.body["n"] == 1:
            await gate.wait()
        order.append(f"{event.body['chat']}{event.body['n']}")

    stop = asyncio.Event()
    task = asyncio.create_task(
        process(app.intake, {"slack": slow_first}, stop, interval=5, concurrency=4)
    )
    await asyncio.sleep(0.05)
    assert app.intake.free == 4
    await app.intake.record("slack", "a1", "A", {"chat": "a", "n": 1})
    await app.intake.record("slack", "a2", "A", {"chat": "a", "n": 2})  # behind a1
    await app.intake.record("slack", "b1", "B", {"chat": "b", "n": 3})
    for _ in range(100):
        if order == ["b3"]:
            break
        await asyncio.sleep(0.01)
    assert order == ["b3"]  # long before the 5 s poll: handed over, not polled for
    gate.set()
    for _ in range(300):
        if len(order) == 3:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await task
    assert order == ["b3", "a1", "a2"]
