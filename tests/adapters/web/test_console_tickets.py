"""The ticket list with its filters and a ticket's page with its actions, through TicketService
with the staff member's name as the actor; an agent sees only their clients' tickets."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from adapters.console.chat import ConsoleSession
from bot.app import App
from bot.core.clock import FakeClock
from bot.features.tickets.service import TicketView
from bot.storage.models import Conversation, OutboxItem, Project
from tests.conftest import START
from tests.support.console import add_staff, console_client, csrf_of, post_form, sign_in


async def _project(app: App, code: str, name: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(select(Project.id).where(Project.name == name))
    assert found is not None, code
    return found


async def _globex(app: App) -> int:
    await app.directory.add_client("Globex", "GLBX")
    await app.directory.add_project("GLBX", "Plant", START.date(), 12, "silver", "Asia/Shanghai")
    return await _project(app, "GLBX", "Plant")


async def _alice_conversation(app: App) -> int:
    alice = ConsoleSession(app, "alice")
    await alice.start()
    await alice.say("hello")
    async with app.db.session() as session:
        found = await session.scalar(
            select(Conversation.id).where(Conversation.chat_id == "console:alice")
        )
    assert found is not None
    return found


async def _open(
    app: App, project: int, title: str, severity: str = "P3", **more: Any
) -> TicketView:
    return await app.tickets.open(
        project_id=project, title=title, description="details", severity=severity, **more
    )


def _refs(page: str) -> list[str]:
    return re.findall(r'<td><a href="/console/tickets/([A-Z]+-\d+)">', page)


async def _pushed(app: App) -> list[dict[str, Any]]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(OutboxItem).where(OutboxItem.chat_id == "console:alice").order_by(OutboxItem.id)
        )
        return [dict(r.reply) for r in rows]


async def test_the_list_and_its_filters(seeded: App, clock: FakeClock) -> None:
    portal = await _project(seeded, "ACME", "Portal")
    plant = await _globex(seeded)
    await _open(seeded, portal, "Login fails", "P1")  # ACME-1
    clock.advance(timedelta(minutes=1))
    await _open(seeded, portal, "Typo on the home page", "P4")  # ACME-2
    clock.advance(timedelta(minutes=1))
    await _open(seeded, plant, "Sensor export", "P3")  # GLBX-1
    await seeded.tickets.assign("ACME-2", "Ari", "Dana")
    await seeded.tickets.resolve("GLBX-1", "Dana")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)

        async def listed(**params: str) -> list[str]:
            page = await client.get("/console/tickets", params=params)
            assert page.status_code == 200, page.text[:300]
            return _refs(page.text)

        assert await listed() == ["ACME-2", "ACME-1"]  # open ones, newest first
        assert await listed(status="all") == ["GLBX-1", "ACME-2", "ACME-1"]
        assert await listed(status="resolved") == ["GLBX-1"]
        assert await listed(severity="P1") == ["ACME-1"]
        assert await listed(assignee="Ari") == ["ACME-2"]
        assert await listed(status="all", project=str(plant)) == ["GLBX-1"]
        acme = (await seeded.directory.list_clients())[0]
        assert await listed(status="all", client=str(acme.id)) == ["ACME-2", "ACME-1"]
        assert await listed(sla="breached") == []
        # P1 gold: first response within 30 minutes, round the clock.
        clock.advance(timedelta(minutes=10))
        assert await listed(sla="due_soon") == ["ACME-1"]
        clock.advance(timedelta(minutes=30))
        assert await listed(sla="breached") == ["ACME-1"]
        assert "breached" in (await client.get("/console/tickets/ACME-1")).text
        assert await listed(severity="P9", status="bogus") == ["ACME-2", "ACME-1"]


async def test_the_list_is_paged(seeded: App, clock: FakeClock) -> None:
    portal = await _project(seeded, "ACME", "Portal")
    for n in range(51):
        clock.advance(timedelta(seconds=1))
        await _open(seeded, portal, f"Ticket {n}")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        first = await client.get("/console/tickets", params={"severity": "P3"})
        assert len(_refs(first.text)) == 50
        assert 'href="/console/tickets?severity=P3&amp;page=2"' in first.text
        second = await client.get("/console/tickets", params={"severity": "P3", "page": "2"})
    assert _refs(second.text) == ["ACME-1"]


async def test_an_agent_sees_and_reaches_only_their_clients_tickets(seeded: App) -> None:
    portal = await _project(seeded, "ACME", "Portal")
    plant = await _globex(seeded)
    await _open(seeded, portal, "Ours")
    await _open(seeded, plant, "Theirs")
    ari = await add_staff(seeded, "Ari", role="agent", clients=("ACME",))
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        page = await client.get("/console/tickets", params={"status": "all"})
        assert _refs(page.text) == ["ACME-1"] and "Globex" not in page.text
        globex = next(c for c in await seeded.directory.list_clients() if c.code == "GLBX")
        asked = await client.get("/console/tickets", params={"client": str(globex.id)})
        assert _refs(asked.text) == []
        assert (await client.get("/console/tickets/GLBX-1")).status_code == 404
        assert (await client.get("/console/tickets/nonsense")).status_code == 404
        token = csrf_of(page.text)
        for action in ("ack", "assign", "comment", "status", "resolve"):
            refused = await client.post(
                f"/console/tickets/GLBX-1/{action}",
                data={"csrf": token, "text": "x", "status": "closed", "assignee": "Ari"},
            )
            assert refused.status_code == 404, action
    theirs = await seeded.tickets.get("GLBX-1")
    assert theirs.status == "new" and theirs.assignee is None and len(theirs.events) == 1


async def test_actions_go_through_the_service_and_reach_the_client(seeded: App) -> None:
    portal = await _project(seeded, "ACME", "Portal")
    conversation = await _alice_conversation(seeded)
    await _open(seeded, portal, "Export fails", conversation_id=conversation)
    ari = await add_staff(seeded, "Ari Lee", role="agent", clients=("ACME",))
    page = "/console/tickets/ACME-1"
    async with console_client(seeded) as client:
        await sign_in(client, ari)

        async def act(action: str, **data: str) -> httpx.Response:
            done = await post_form(client, page, f"{page}/{action}", data)
            assert done.status_code == 303 and done.headers["location"] == page
            return done

        await act("ack")
        assert (await seeded.tickets.get("ACME-1")).status == "acknowledged"
        await act("assign", assignee="Dana")
        assert (await seeded.tickets.get("ACME-1")).assignee == "Dana"
        await act("comment", text="We found the cause.")
        await act("status", status="in_progress", note="Working on it")
        await act("resolve", note="Fixed in 2.3")
        refused = await post_form(client, page, f"{page}/status", {"status": "in_progress"})
        assert "cannot%20become" in refused.headers["set-cookie"]
        shown = await client.get(page)
    view = await seeded.tickets.get("ACME-1")
    assert view.status == "resolved"
    assert [(e.actor, e.kind) for e in view.events][1:] == [
        ("Ari Lee", "status"),
        ("Ari Lee", "assigned"),
        ("Ari Lee", "comment"),
        ("Ari Lee", "status"),
        ("Ari Lee", "status"),
    ]
    updates = [r["text"] for r in await _pushed(seeded) if r["kind"] == "ticket_update"]
    assert len(updates) == 4  # acknowledged, the comment, in progress, resolved
    assert "Ari Lee" in updates[1] and "We found the cause." in updates[1]
    assert "resolved" in updates[-1] and "Fixed in 2.3" in updates[-1]
    assert (
        "We found the cause." in shown.text
        and f'href="/console/inbox/{conversation}"' in shown.text
    )


async def test_ticket_text_stays_text(seeded: App) -> None:
    portal = await _project(seeded, "ACME", "Portal")
    await _open(seeded, portal, "<script>alert(1)</script>")
    await seeded.tickets.comment("ACME-1", "<img src=x onerror=alert(2)>", "alice", client_id=None)
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        for path in ("/console/tickets", "/console/tickets/ACME-1"):
            page = await client.get(path)
            assert "<script>alert(1)</script>" not in page.text, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
        detail = (await client.get("/console/tickets/ACME-1")).text
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(2)&gt;" in detail


async def test_the_pages_speak_chinese(seeded: App) -> None:
    portal = await _project(seeded, "ACME", "Portal")
    await _open(seeded, portal, "Export fails")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        headers = {"accept-language": "zh-CN"}
        listed = await client.get("/console/tickets", headers=headers)
        detail = await client.get("/console/tickets/ACME-1", headers=headers)
        inbox = await client.get("/console/inbox", headers=headers)
    assert "严重程度" in listed.text and "新建" in listed.text
    assert "受理" in detail.text and "事件记录" in detail.text
    assert "目前没有等待人工的会话" in inbox.text
