"""Announcements in the console with a fake clock: sent now or at a set time, held for quiet
hours, acknowledged with a click, per-contact state; never to another client's contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.console.chat import render
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInputError, NotFoundError
from bot.features.announcements.models import AnnouncementDelivery
from bot.storage.models import Contact, OutboxItem
from tests.support.helpers import console_message
from tests.support.surveys import chat_as

# The console shows what was queued before a turn first ([0]) and what the turn's due jobs
# sent after the answer ([-1]).


@pytest.fixture
async def two_clients(seeded: App, clock: FakeClock) -> App:
    await seeded.directory.add_client("Beta Ltd", "BETA")
    await seeded.directory.add_project(
        "BETA", "Beta Shop", clock.now().date(), 12, "silver", "Asia/Shanghai"
    )
    await seeded.directory.add_contact("BETA", "bo", "Bo Chen", lang="en")
    await seeded.directory.link("BETA", "bo", "console", "bo")
    return seeded


async def _states(app: App, announcement_id: int) -> dict[str, str]:
    return {
        f"{d.client}/{d.handle}": d.state
        for d in await app.announcements.deliveries(announcement_id)
    }


async def _announcement_pushes(app: App) -> list[OutboxItem]:
    async with app.db.session() as session:
        rows = await session.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [r for r in rows if r.reply.get("kind") == "announcement"]


async def test_a_project_notice_is_acknowledged_in_the_chat(
    two_clients: App, clock: FakeClock
) -> None:
    app = two_clients
    view = await app.announcements.create(
        "security", "We patch the login service on Friday 22:00-23:00 CET.", project="portal"
    )
    assert (view.scope, view.target, view.state) == ("project", "Portal", "queued")
    assert await _states(app, view.id) == {"ACME/alice": "queued", "ACME/wang": "queued"}
    alice = await chat_as(app, "alice")
    shown = [render(r) for r in await alice.say("/help")]
    assert shown[0] == (
        "Security patch · Portal\nWe patch the login service on Friday 22:00-23:00 CET.\n"
        "  [1] Understood"
    )
    assert await _states(app, view.id) == {"ACME/alice": "sent", "ACME/wang": "queued"}
    assert [render(r) for r in await alice.say("1")] == ["Thank you, noted."]
    assert [render(r) for r in await alice.say("1")] != ["Thank you, noted."]  # no buttons now
    wang = await chat_as(app, "wang")
    assert (await wang.say("/help"))[0].text.startswith("安全补丁 · Portal\n")
    assert await _states(app, view.id) == {"ACME/alice": "acknowledged", "ACME/wang": "sent"}
    # Bo, at another client, got nothing, and cannot acknowledge Alice's copy by forging a click.
    bo = await chat_as(app, "bo")
    assert [r.kind for r in await bo.say("/help")] == ["help"]
    async with app.db.session() as session:
        wang_copy = await session.scalar(
            select(AnnouncementDelivery.id)
            .join(Contact, Contact.id == AnnouncementDelivery.contact_id)
            .where(Contact.handle == "wang")
        )
    forged = await app.engine.handle(
        console_message(clock, "Understood", user="bo", payload=f"announce:ack:{wang_copy}")
    )
    assert forged[0].text == "This notice is not available any more."
    assert (await _states(app, view.id))["ACME/wang"] == "sent"
    # Sending again (a retried job) queues nothing twice.
    assert await app.announcements.send(view.id) == 2
    assert len(await _announcement_pushes(app)) == 2


async def test_scheduled_for_everyone_waits_for_its_time_and_for_waking_hours(
    two_clients: App, clock: FakeClock
) -> None:
    app = two_clients
    # 2026-03-02 21:30 in Berlin is 20:30 UTC; in Shanghai it is already 04:30 next morning.
    view = await app.announcements.create(
        "upgrade", "Upgrade to 2.0 tonight.", everyone=True, at="2026-03-02 20:30"
    )
    assert (view.state, view.send_at) == ("scheduled", datetime(2026, 3, 2, 20, 30, tzinfo=UTC))
    assert await app.scheduler.run_due() == 0 and await _states(app, view.id) == {}
    clock.set(view.send_at)
    assert await app.scheduler.run_due() == 1
    assert await _states(app, view.id) == {
        "ACME/alice": "queued",
        "ACME/wang": "queued",
        "BETA/bo": "queued",
    }
    held = {p.chat_id: p.available_at for p in await _announcement_pushes(app)}
    assert held == {
        "console:alice": datetime(2026, 3, 3, 8, 0, tzinfo=UTC),  # 09:00 Berlin
        "console:wang": datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
        "console:bo": datetime(2026, 3, 3, 1, 0, tzinfo=UTC),  # 09:00 Shanghai
    }
    bo = await chat_as(app, "bo")
    assert [r.kind for r in await bo.say("/help")] == ["help"]
    clock.set(datetime(2026, 3, 3, 1, 0, tzinfo=UTC))
    assert (await bo.say("/help"))[0].text == "Upgrade window\nUpgrade to 2.0 tonight."


async def test_a_cancelled_notice_never_goes_out_and_bad_input_is_refused(
    two_clients: App, clock: FakeClock
) -> None:
    app = two_clients
    view = await app.announcements.create(
        "feature", "CSV export", client="BETA", at="2026-03-03 10:00"
    )
    assert (view.scope, view.target) == ("client", "Beta Ltd")
    await app.announcements.cancel(view.id)
    clock.advance(timedelta(days=2))
    assert await app.scheduler.run_due() == 0
    assert await _states(app, view.id) == {}
    with pytest.raises(InvalidInputError, match="cancelled already"):
        await app.announcements.cancel(view.id)
    create = app.announcements.create
    with pytest.raises(InvalidInputError, match="exactly one"):
        await create("feature", "x", client="ACME", everyone=True)
    with pytest.raises(InvalidInputError, match="exactly one"):
        await create("feature", "x")
    with pytest.raises(InvalidInputError, match="unknown kind"):
        await create("outage", "x", everyone=True)
    with pytest.raises(InvalidInputError, match="1 to 4000"):
        await create("feature", "   ", everyone=True)
    with pytest.raises(InvalidInputError, match="in the past"):
        await create("feature", "x", everyone=True, at="2026-03-01 10:00")
    with pytest.raises(NotFoundError, match="no client 'GAMMA'"):
        await create("feature", "x", client="GAMMA")
    with pytest.raises(NotFoundError, match="no announcement 42"):
        await app.announcements.deliveries(42)
