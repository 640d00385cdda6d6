"""The ticket service: client isolation, numbering under concurrency, SLA alerts, reopen rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.errors import ConflictError, InvalidInputError
from bot.core.settings import Settings
from bot.features.tickets.models import TicketEvent
from bot.features.tickets.service import TicketNotFound
from bot.storage.models import OutboxItem, Project
from tests.conftest import START
from tests.support.fakes import FakeKnowledgeBase
from tests.support.helpers import console_message


async def _project_id(app: App, name: str = "Portal") -> int:
    async with app.db.session() as session:
        project = await session.scalar(select(Project).where(Project.name == name))
        assert project is not None
        return project.id


async def _add_beta(app: App) -> None:
    await app.directory.add_client("Beta Ltd", "BETA")
    await app.directory.add_project("BETA", "Shop", START.date(), 12, "silver", "Asia/Shanghai")
    await app.directory.add_contact("BETA", "bob", "Bob", lang="en")
    await app.directory.link("BETA", "bob", "console", "bob")


async def _ask(app: App, clock: FakeClock, text: str, user: str = "bob") -> tuple[str, str]:
    replies = await app.engine.handle(console_message(clock, text, user=user))
    return replies[0].kind, replies[0].text


COMMANDS = ("/status ACME-1", "/comment ACME-1 hello", "/reopen ACME-1 still broken")


async def test_another_clients_ticket_reads_exactly_like_a_missing_one(
    seeded: App, clock: FakeClock
) -> None:
    await _add_beta(seeded)
    before = [await _ask(seeded, clock, text) for text in COMMANDS]
    before.append(await _ask(seeded, clock, "/comment ACME-1"))
    ticket = await seeded.tickets.open(
        project_id=await _project_id(seeded), title="Secret outage", description="x", severity="P2"
    )
    assert ticket.ref == "ACME-1"
    await seeded.tickets.resolve("ACME-1", "staff")
    after = [await _ask(seeded, clock, text) for text in COMMANDS]
    after.append(await _ask(seeded, clock, "/comment ACME-1"))
    assert after == before
    assert all(kind == "ticket_not_found" for kind, _ in after)
    assert "Secret outage" not in str(after)
    listing = await _ask(seeded, clock, "/mytickets")
    assert "ACME" not in listing[1]
    # Nothing was written to ACME-1 by the attempts.
    view = await seeded.tickets.get("ACME-1")
    assert [e.kind for e in view.events] == ["opened", "status"]
    # The service refuses the same way.
    with pytest.raises(TicketNotFound):
        await seeded.tickets.get("ACME-1", client_id=await _client_id(seeded, "BETA"))


async def _client_id(app: App, code: str) -> int:
    for client in await app.directory.list_clients():
        if client.code == code:
            return client.id
    raise AssertionError(code)


async def test_numbering_is_per_client(seeded: App) -> None:
    await _add_beta(seeded)
    acme, beta = await _project_id(seeded), await _project_id(seeded, "Shop")
    refs = []
    for project in (acme, beta, acme, beta, acme):
        view = await seeded.tickets.open(
            project_id=project, title="t", description="d", severity="P3"
        )
        refs.append(view.ref)
    assert refs == ["ACME-1", "BETA-1", "ACME-2", "BETA-2", "ACME-3"]


async def test_concurrent_opens_get_distinct_consecutive_numbers(seeded: App) -> None:
    project = await _project_id(seeded)
    views = await asyncio.gather(
        *(
            seeded.tickets.open(project_id=project, title=f"t{i}", description="d", severity="P3")
            for i in range(12)
        )
    )
    assert sorted(int(v.ref.split("-")[1]) for v in views) == list(range(1, 13))


async def test_bad_staff_input_is_refused_without_writing(seeded: App) -> None:
    project = await _project_id(seeded)
    with pytest.raises(InvalidInputError, match="unknown severity"):
        await seeded.tickets.open(project_id=project, title="t", description="d", severity="P9")
    with pytest.raises(InvalidInputError, match="unknown category"):
        await seeded.tickets.open(
            project_id=project, title="t", description="d", severity="P3", category="x"
        )
    await seeded.tickets.open(project_id=project, title="t", description="d", severity="P3")
    with pytest.raises(InvalidInputError, match="use the form ACME-42"):
        await seeded.tickets.get("42")
    with pytest.raises(InvalidInputError, match="unknown status 'done'"):
        await seeded.tickets.set_status("ACME-1", "done", "staff")
    with pytest.raises(InvalidInputError, match="set by its own action"):
        await seeded.tickets.set_status("ACME-1", "reopened", "staff")
    with pytest.raises(ConflictError, match="still open"):
        await seeded.tickets.reopen("ACME-1", "staff", None)
    view = await seeded.tickets.get("ACME-1")
    assert view.status == "new" and [e.kind for e in view.events] == ["opened"]


async def test_reopen_only_within_fourteen_days(seeded: App, clock: FakeClock) -> None:
    project = await _project_id(seeded)
    await seeded.tickets.open(project_id=project, title="t", description="d", severity="P3")
    await seeded.tickets.resolve("ACME-1", "staff")
    clock.advance(timedelta(days=14, seconds=1))
    with pytest.raises(ConflictError, match="more than 14 days ago"):
        await seeded.tickets.reopen("ACME-1", "alice", None)
    assert (await seeded.tickets.get("ACME-1")).status == "resolved"
    with pytest.raises(ConflictError, match="ACME-1 is resolved; it cannot become in_progress"):
        await seeded.tickets.set_status("ACME-1", "in_progress", "staff")


@pytest.fixture
async def staffed(
    settings: Settings, clock: FakeClock, kb: FakeKnowledgeBase
) -> AsyncIterator[App]:
    """The seeded app with a Slack staff channel configured."""
    config = settings.model_copy(update={"slack_staff_channel": "C0STAFF"})
    app = await build_app(config, clock=clock, kb=kb)
    try:
        await app.directory.add_client("Acme Corp", "ACME")
        await app.directory.add_project("ACME", "Portal", START.date(), 12, "gold", "Europe/Berlin")
        yield app
    finally:
        await app.close()


async def _staff_messages(app: App) -> list[str]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(OutboxItem).where(OutboxItem.channel == "slack").order_by(OutboxItem.id)
        )
        return [str(r.reply["text"]) for r in rows if r.chat_id == "C0STAFF"]


async def test_sla_warning_and_breach_notify_staff_once(staffed: App, clock: FakeClock) -> None:
    # Gold P2 opened Monday 10:00 Berlin: first response due 11:00, warning at 10:48.
    await staffed.tickets.open(
        project_id=await _project_id(staffed), title="Export fails", description="d", severity="P2"
    )
    assert await staffed.tickets.check_sla() == []
    clock.advance(timedelta(minutes=47))
    assert await staffed.tickets.check_sla() == []
    clock.advance(timedelta(minutes=2))
    warned = await staffed.tickets.check_sla()
    assert len(warned) == 1 and "reached 80% of its first response target" in warned[0]
    assert await staffed.tickets.check_sla() == []  # idempotent
    clock.advance(timedelta(minutes=12))
    breached = await staffed.tickets.check_sla()
    assert len(breached) == 1 and "BREACHED its first response target" in breached[0]
    assert await staffed.tickets.check_sla() == []
    staff = await _staff_messages(staffed)
    assert staff[0].startswith("New ticket ACME-1 (P2")
    # Every staff message about a ticket goes to that ticket's one Slack thread.
    async with staffed.db.session() as session:
        metas = [r.reply["meta"] for r in await session.scalars(select(OutboxItem))]
    assert metas and all(m["thread_key"] == "ticket:ACME-1" for m in metas)
    assert staff[1:] == warned + breached
    # Once staff respond, the first-response target raises nothing more.
    await staffed.tickets.acknowledge("ACME-1", "bob")
    clock.advance(timedelta(hours=6, minutes=30))  # past 80% of the 8 h resolution target
    later = await staffed.tickets.check_sla()
    assert len(later) == 1 and "resolution" in later[0]


async def test_sla_events_are_recorded_without_a_staff_channel(
    seeded: App, clock: FakeClock
) -> None:
    await seeded.tickets.open(
        project_id=await _project_id(seeded), title="Down", description="d", severity="P1"
    )
    clock.advance(timedelta(hours=1))  # P1 gold: 30 min first response, 24x7
    alerts = await seeded.tickets.check_sla()
    assert len(alerts) == 1 and "BREACHED" in alerts[0]  # too late for a warning: breach only
    async with seeded.db.session() as session:
        kinds = [
            e.kind for e in await session.scalars(select(TicketEvent).order_by(TicketEvent.id))
        ]
        assert list(await session.scalars(select(OutboxItem))) == []
    assert kinds == ["opened", "sla_breach"]


async def test_a_forged_project_button_cannot_file_into_another_clients_project(
    seeded: App, clock: FakeClock
) -> None:
    await _add_beta(seeded)
    await seeded.directory.add_project("ACME", "Warehouse", START.date(), 12, "gold", "UTC")
    for text in ("/ticket", "Stock counts wrong", "Counts are off by one"):
        await seeded.engine.handle(console_message(clock, text, user="alice"))
    await seeded.engine.handle(console_message(clock, "P3", user="alice", payload="ticket:sev:P3"))
    beta_project = await _project_id(seeded, "Shop")
    for payload in (f"ticket:prj:{beta_project}", "ticket:prj:x"):
        replies = await seeded.engine.handle(
            console_message(clock, "?", user="alice", payload=payload)
        )
        assert replies[0].kind == "ticket_project"  # asked again, nothing filed
    assert await seeded.tickets.find() == []
