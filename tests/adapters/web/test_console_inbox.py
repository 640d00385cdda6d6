"""The inbox and a conversation's page: what waits for a person, the transcript, and the staff
actions (reply, take, hand back, close, open a ticket, save an FAQ draft) through the same
EscalationService calls the Slack staff thread uses; an agent sees only their clients."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adapters.console.chat import ConsoleSession
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.protocols import Tier
from bot.core.settings import Settings
from bot.features.escalation.models import EscalationRelay
from bot.features.escalation.state import Action, EscalationState
from bot.storage.models import Conversation, OutboxItem
from tests.conftest import START
from tests.support.console import add_staff, console_client, csrf_of, post_form, sign_in
from tests.support.fakes import FakeKnowledgeBase, hit


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.slack_staff_channel = "CSTAFF"  # escalation needs somewhere for staff to look
    settings.kb_dir = tmp_path / "kb"
    return settings


async def _escalated(app: App, handle: str, *lines: str) -> int:
    """`handle` says `lines`, then asks for a person; returns the conversation id."""
    client = ConsoleSession(app, handle)
    await client.start()
    for line in (*lines, "/human"):
        await client.say(line)
    async with app.db.session() as session:
        found = await session.scalar(
            select(Conversation.id).where(Conversation.chat_id == f"console:{handle}")
        )
    assert found is not None
    return found


async def _globex(app: App) -> None:
    await app.directory.add_client("Globex", "GLBX")
    await app.directory.add_project("GLBX", "Plant", START.date(), 12, "silver", "Asia/Shanghai")
    await app.directory.add_contact("GLBX", "bob", "Bob <b>Stone</b>", lang="en")
    await app.directory.link("GLBX", "bob", "console", "bob")


async def _to_client(app: App, handle: str) -> list[dict[str, Any]]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.chat_id == f"console:{handle}")
            .order_by(OutboxItem.id)
        )
        return [dict(r.reply) for r in rows]


async def _act(
    client: httpx.AsyncClient, conversation: int, action: str, **data: str
) -> httpx.Response:
    page = f"/console/inbox/{conversation}"
    return await post_form(client, page, f"{page}/{action}", data)


async def test_the_inbox_lists_who_waits_oldest_first_with_the_promise(
    seeded: App, clock: FakeClock
) -> None:
    await _globex(seeded)
    alice = await _escalated(seeded, "alice")
    clock.advance(timedelta(minutes=1))
    bob = await _escalated(seeded, "bob")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = await client.get("/console/inbox")
    assert page.status_code == 200
    rows = re.findall(r'href="/console/inbox/(\d+)"', page.text)
    assert rows == [str(alice), str(bob)]
    # Monday 09:00 UTC, gold P2: a person answers within one working hour.
    assert "2026-03-02 10:00" in page.text
    assert "Acme Corp" in page.text and "waiting for a person" in page.text
    assert "Bob &lt;b&gt;Stone&lt;/b&gt;" in page.text and "<b>Stone" not in page.text


async def test_an_agent_sees_and_reaches_only_their_clients(seeded: App) -> None:
    await _globex(seeded)
    alice = await _escalated(seeded, "alice")
    bob = await _escalated(seeded, "bob")
    ari = await add_staff(seeded, "Ari", role="agent", clients=("ACME",))
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        inbox = await client.get("/console/inbox")
        assert f'href="/console/inbox/{alice}"' in inbox.text
        assert f'href="/console/inbox/{bob}"' not in inbox.text and "Globex" not in inbox.text
        assert (await client.get(f"/console/inbox/{bob}")).status_code == 404
        assert (await client.get("/console/inbox/999999")).status_code == 404
        token = csrf_of((await client.get(f"/console/inbox/{alice}")).text)
        for action in ("take", "reply", "close"):
            refused = await client.post(
                f"/console/inbox/{bob}/{action}", data={"csrf": token, "text": "hi"}
            )
            assert refused.status_code == 404, action
    view = await seeded.escalation.states.view(bob)
    assert view.state is EscalationState.WAITING and view.taken_by is None
    assert not [r for r in await _to_client(seeded, "bob") if r["kind"] == "handoff_reply"]


async def test_a_reply_reaches_the_client_on_their_channel_signed_once(seeded: App) -> None:
    alice = await _escalated(seeded, "alice", "The export page is slow")
    ari = await add_staff(seeded, "Ari Lee", role="agent", clients=("ACME",))
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        page = await client.get(f"/console/inbox/{alice}")
        assert "The export page is slow" in page.text
        nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page.text)
        assert nonce is not None
        form = {"csrf": csrf_of(page.text), "nonce": nonce.group(1), "text": "Looking at it now."}
        sent = await client.post(f"/console/inbox/{alice}/reply", data=form)
        again = await client.post(f"/console/inbox/{alice}/reply", data=form)  # a double submit
        assert sent.status_code == again.status_code == 303
        shown = await client.get(f"/console/inbox/{alice}")
    replies = [r for r in await _to_client(seeded, "alice") if r["kind"] == "handoff_reply"]
    assert len(replies) == 1
    assert replies[0]["text"].startswith("Looking at it now.") and "Ari Lee" in replies[0]["text"]
    view = await seeded.escalation.states.view(alice)
    assert view.state is EscalationState.HUMAN and view.taken_by == "Ari Lee"
    assert "Ari Lee (staff)" in shown.text and "Looking at it now." in shown.text


async def test_take_hand_back_and_close_go_through_the_service(seeded: App) -> None:
    alice = await _escalated(seeded, "alice")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        assert (await _act(client, alice, "take")).status_code == 303
        assert (await seeded.escalation.states.view(alice)).taken_by == "Dana"
        await _act(client, alice, "back")
        assert (await seeded.escalation.states.view(alice)).state is EscalationState.BOT
        refused = await _act(client, alice, "back")  # with the bot already: said, not raised
        assert refused.status_code == 303 and "cannot%20be" in refused.headers["set-cookie"]
        await _act(client, alice, "close")
        assert (await seeded.escalation.states.view(alice)).state is EscalationState.CLOSED
        page = await client.get(f"/console/inbox/{alice}")
    kinds = [r["kind"] for r in await _to_client(seeded, "alice")]
    assert "handoff_taken" in kinds and "handoff_back" in kinds
    for event in (
        "taken (waiting_for_human -&gt; human)",
        "handed_back",
        "closed (bot -&gt; closed)",
    ):
        assert event in page.text


async def test_a_ticket_and_an_faq_draft_from_the_conversation(
    seeded: App, settings: Settings
) -> None:
    alice = await _escalated(seeded, "alice", "How do I export invoices to CSV?")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        opened = await _act(client, alice, "ticket")
        assert opened.status_code == 303 and opened.headers["location"] == "/console/tickets/ACME-1"
        await _act(client, alice, "reply", text="Use Reports, then Export CSV.", nonce="a" * 32)
        async with seeded.db.session() as session:
            relay = await session.scalar(select(EscalationRelay))
        assert relay is not None
        saved = await _act(client, alice, "faq", relay=str(relay.id))
        assert saved.status_code == 303
        page = await client.get(f"/console/inbox/{alice}")
    ticket = await seeded.tickets.get("ACME-1")
    assert ticket.conversation_id == alice and "export invoices" in ticket.title
    assert 'href="/console/tickets/ACME-1"' in page.text  # the ticket note in the transcript
    drafts = list((settings.kb_dir).rglob("*.md"))
    assert drafts and "Export CSV" in drafts[0].read_text()
    async with seeded.db.session() as session:
        assert (await session.get_one(EscalationRelay, relay.id)).draft_id


async def test_an_faq_draft_only_from_this_conversations_replies(seeded: App) -> None:
    await _globex(seeded)
    alice = await _escalated(seeded, "alice", "question one")
    bob = await _escalated(seeded, "bob", "question two")
    relayed = await seeded.escalation.relay.staff_reply(bob, "Answer", "Dana", key="k1")
    assert relayed.value == "sent"
    async with seeded.db.session() as session:
        relay = await session.scalar(select(EscalationRelay))
    assert relay is not None
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        wrong = await _act(client, alice, "faq", relay=str(relay.id))
    assert wrong.status_code == 404


async def test_client_text_stays_text_and_faq_answers_show_their_sources(
    seeded: App, kb: FakeKnowledgeBase
) -> None:
    kb.add("hours", Tier.CONFIDENT, hit("hours", "Support <i>hours</i>", "9 to 18."))
    alice = await _escalated(seeded, "alice", "what are your hours", "<script>alert(1)</script>")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = await client.get(f"/console/inbox/{alice}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "Support &lt;i&gt;hours&lt;/i&gt;" in page.text and "knowledge/hours.en.md" in page.text


async def test_the_inbox_is_paged(seeded: App, clock: FakeClock) -> None:
    async with seeded.db.session() as session:
        ids = []
        for n in range(52):
            row = Conversation(
                channel="console",
                workspace_id="",
                chat_id=f"console:p{n}",
                thread_id="",
                client_id=None,
                contact_id=None,
                flow=None,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
            session.add(row)
            await session.flush()
            ids.append(row.id)
    for conversation in ids:
        clock.advance(timedelta(seconds=1))
        await seeded.escalation.states.move(conversation, Action.ESCALATE, "test", "r")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        first = await client.get("/console/inbox")
        second = await client.get("/console/inbox?page=2")
    assert len(re.findall(r'href="/console/inbox/\d+"', first.text)) == 50
    assert 'href="/console/inbox?page=2"' in first.text
    assert re.findall(r'href="/console/inbox/(\d+)"', second.text) == [str(i) for i in ids[50:]]
