"""Deliveries through the outbox pump to a real receiver on loopback: signed as documented,
retried with the outbox's backoff after a failure, held for Retry-After after a 429, dropped
when the webhook is gone, and every attempt in the delivery log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.outbox import pump
from bot.features.webhooks.sender import WebhookSender
from bot.features.webhooks.service import CHANNEL
from bot.features.webhooks.signing import sign
from bot.storage.models import OutboxItem
from tests.support.surveys import chat_as, open_ticket
from tests.support.webhooks import Receiver, receiver

pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
async def hook(seeded: App, clock: FakeClock) -> AsyncIterator[Receiver]:
    """A receiver that checks signatures against the test's clock, and the outbox pumped."""
    async with receiver(now=lambda: clock.now().timestamp()) as found:
        stop = asyncio.Event()
        sender = WebhookSender(seeded.db, seeded.clock)
        task = asyncio.create_task(pump(seeded.outbox, {CHANNEL: sender}, stop, interval=0.02))
        try:
            yield found
        finally:
            stop.set()
            await task
            await sender.aclose()


async def _until(check: Callable[[], bool], seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def _outbox_row(app: App, state: str | None = None) -> OutboxItem:
    """The one queued delivery; with `state`, once it has that state (the receiver records a
    delivery before it answers, so the outcome is written a moment after it arrived)."""
    for _ in range(500):
        async with app.db.session() as session:
            [row] = await session.scalars(select(OutboxItem).where(OutboxItem.channel == CHANNEL))
        if state is None or row.state == state:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"delivery is {row.state}, not {state}")


async def _subscribe(app: App, found: Receiver, *events: str) -> int:
    new = await app.webhooks.add(found.url, events or ("ticket.created",))
    found.secret = new.secret
    return new.view.id


async def test_a_ticket_reaches_the_receiver_signed(seeded: App, hook: Receiver) -> None:
    webhook = await _subscribe(seeded, hook)
    ref = await open_ticket(await chat_as(seeded, "alice"))
    await _until(lambda: len(hook.got) == 1)
    [got] = hook.got
    assert got.valid
    body = got.json
    assert body["event"] == "ticket.created" and body["data"]["ticket"]["ref"] == ref
    assert got.headers["x-aftercare-event"] == "ticket.created"
    assert got.headers["x-aftercare-delivery"] == body["id"]
    assert got.headers["content-type"] == "application/json"
    timestamp = got.headers["x-aftercare-timestamp"]
    assert got.headers["x-aftercare-signature"] == sign(hook.secret, timestamp, got.body)
    assert (await _outbox_row(seeded, "sent")).attempts == 1
    [attempt] = await seeded.webhooks.deliveries(webhook, 10)
    assert (attempt.delivery_id, attempt.attempt, attempt.status_code, attempt.error) == (
        body["id"],
        1,
        200,
        None,
    )


async def test_a_500_is_retried_after_the_backoff(
    seeded: App, clock: FakeClock, hook: Receiver
) -> None:
    webhook = await _subscribe(seeded, hook)
    hook.answers.append((500, {}))
    await open_ticket(await chat_as(seeded, "alice"))
    row = await _outbox_row(seeded, "pending")
    assert (row.attempts, row.last_error) == (
        1,
        f"DeliveryFailedError: webhook {webhook} answered HTTP 500",
    )
    await asyncio.sleep(0.3)
    assert len(hook.got) == 1  # waits out the backoff (5 s after a first failure)
    clock.advance(timedelta(seconds=5))
    assert (await _outbox_row(seeded, "sent")).attempts == 2
    assert len(hook.got) == 2
    assert all(g.valid for g in hook.got) and hook.got[0].body == hook.got[1].body
    log = await seeded.webhooks.deliveries(webhook, 10)
    assert [(a.attempt, a.status_code, a.error) for a in log] == [
        (2, 200, None),
        (1, 500, "HTTP 500"),
    ]
    assert len({a.delivery_id for a in log}) == 1


async def test_a_429_waits_for_retry_after(seeded: App, clock: FakeClock, hook: Receiver) -> None:
    webhook = await _subscribe(seeded, hook)
    hook.answers.append((429, {"Retry-After": "30"}))
    await open_ticket(await chat_as(seeded, "alice"))
    row = await _outbox_row(seeded, "pending")
    assert row.attempts == 0  # a 429 is not a failed attempt
    assert "retry after 30 s" in (row.last_error or "")
    clock.advance(timedelta(seconds=20))  # past the backoff of an error, not Retry-After
    await asyncio.sleep(0.3)
    assert len(hook.got) == 1
    clock.advance(timedelta(seconds=10))
    assert (await _outbox_row(seeded, "sent")).attempts == 1
    assert len(hook.got) == 2 and all(g.valid for g in hook.got)
    log = await seeded.webhooks.deliveries(webhook, 10)
    assert [(a.attempt, a.status_code) for a in log] == [(2, 200), (1, 429)]


async def test_an_unreachable_receiver_is_logged_and_retried(seeded: App, clock: FakeClock) -> None:
    async with receiver() as gone:
        url = gone.url
    new = await seeded.webhooks.add(url, ["ticket.created"])  # nobody listens there now
    await open_ticket(await chat_as(seeded, "alice"))
    sender = WebhookSender(seeded.db, seeded.clock, timeout=2)
    try:
        assert await seeded.outbox.deliver_one({CHANNEL: sender}) == "pending"
    finally:
        await sender.aclose()
    [attempt] = await seeded.webhooks.deliveries(new.view.id, 10)
    assert attempt.status_code is None and (attempt.error or "").startswith("ConnectError")
    assert (await _outbox_row(seeded)).state == "pending"


async def test_a_delivery_queued_for_a_removed_webhook_is_dropped(
    seeded: App, clock: FakeClock
) -> None:
    async with receiver(now=lambda: clock.now().timestamp()) as found:
        webhook = await _subscribe(seeded, found)
        await open_ticket(await chat_as(seeded, "alice"))  # queued; no pump runs
        await seeded.webhooks.remove(webhook)
        again = await _subscribe(seeded, found)  # SQLite may give it the same id
        sender = WebhookSender(seeded.db, seeded.clock)
        try:
            assert await seeded.outbox.deliver_one({CHANNEL: sender}) == "sent"  # dropped
        finally:
            await sender.aclose()
        assert found.got == []
        assert await seeded.webhooks.deliveries(again, 10) == []
