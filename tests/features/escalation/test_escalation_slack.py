"""Escalation through the real Slack adapter over loopback HTTP against the fake Slack Web API: a
Slack client escalates, staff answer in the staff thread, Slack retries deliver once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select

from adapters.channels import configured_channels
from adapters.http.server import build_asgi
from adapters.slack.blocks import unescape
from bot.app import App
from bot.core.settings import Settings
from bot.features.escalation.desk import thread_key
from bot.features.escalation.state import EscalationState
from bot.features.tickets.models import TicketEvent
from bot.storage.models import Conversation, Project
from bot.storage.models_slack import SlackThread
from tests.conftest import START
from tests.support.helpers import settle
from tests.support.http import serve_on_free_port
from tests.support.slack import (
    BOT_USER,
    SECRET,
    TEAM,
    FakeSlackApi,
    click_body,
    dm,
    event_body,
    signed,
)

pytestmark = pytest.mark.usefixtures("no_proxy")
STAFF = "CSTAFF"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.slack_staff_channel = STAFF
    settings.kb_dir = tmp_path / "kb"
    return settings


@dataclass
class SlackWorld:
    api: FakeSlackApi
    http: httpx.AsyncClient
    app: App

    async def event(self, event: dict[str, Any], event_id: str, **headers: str) -> int:
        body = event_body(event, event_id=event_id)
        response = await self.http.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": "application/json", **signed(body), **headers},
        )
        return response.status_code

    async def click(
        self, channel: str, message_ts: str, payload: str, label: str, user: str = "USAM"
    ) -> int:
        """A staff member (USAM) clicks a button on message `message_ts`."""
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": label},
            "value": payload,
            "action_id": "aftercare_0",
        }
        message = {
            "ts": message_ts,
            "text": "x",
            "blocks": [{"type": "actions", "block_id": "aftercare_buttons", "elements": [button]}],
        }
        body = click_body(payload, channel=channel, user=user, label=label, message=message)
        response = await self.http.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
        )
        return response.status_code

    async def posts_to(self, channel: str, count: int, tries: int = 400) -> list[dict[str, Any]]:
        """Wait until `count` messages were posted to `channel` (or give up); return them."""
        for _ in range(tries):
            found = [p for p in self.api.posts() if p["channel"] == channel]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        return [p for p in self.api.posts() if p["channel"] == channel]

    async def thread_ts(self, conversation_id: int) -> str:
        """The staff thread's root ts (recorded just after Slack answered the first post)."""
        for _ in range(250):
            async with self.app.db.session() as session:
                ts = await session.scalar(
                    select(SlackThread.ts).where(SlackThread.key == thread_key(conversation_id))
                )
            if ts is not None:
                return ts
            await asyncio.sleep(0.02)
        raise AssertionError(f"no staff thread for conversation {conversation_id}")


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


@pytest.fixture
async def world(seeded: App) -> AsyncIterator[SlackWorld]:
    app = seeded
    await app.directory.link("ACME", "alice", "slack", "UALICE", TEAM)
    api = FakeSlackApi()
    api.users["USAM"] = "Sam Staff"
    api_server, api_task, api_base = await serve_on_free_port(api.asgi())
    app.settings.slack_bot_token = SecretStr("xoxb-test")
    app.settings.slack_signing_secret = SecretStr(SECRET)
    app.settings.slack_api_url = f"{api_base}/api/"
    server, task, base = await serve_on_free_port(build_asgi(app, configured_channels(app)))
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            yield SlackWorld(api, http, app)
    finally:
        await _stop(server, task)
        await _stop(api_server, api_task)


def staff_reply(text: str, thread: str, ts: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": STAFF,
        "channel_type": "channel",
        "user": "USAM",
        "team": TEAM,
        "text": text,
        "ts": ts,
        "thread_ts": thread,
        "parent_user_id": BOT_USER,
        **extra,
    }


async def _conversation(app: App, chat_id: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(select(Conversation.id).where(Conversation.chat_id == chat_id))
    assert found is not None
    return found


async def test_slack_client_handoff_end_to_end(world: SlackWorld) -> None:
    # The client asks for a person in a DM: told when, and a staff thread appears.
    assert await world.event(dm("can I talk to a human", ts="1.1"), "EvAsk") == 200
    [told] = await world.posts_to("D1", 1)
    assert "a person from the team" in told["text"]
    [root] = await world.posts_to(STAFF, 1)
    assert root.get("thread_ts") is None
    assert "Alice Martin (Acme Corp, ACME) needs a person" in root["text"]
    assert "Channel: slack" in root["text"] and "gold SLA" in root["text"]
    labels = [
        e["text"]["text"] for b in root["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Take it", "Hand back to the bot", "Open a ticket"]
    conversation = await _conversation(world.app, "D1")
    thread = await world.thread_ts(conversation)

    # A staff reply in the thread, delivered by Slack three times, reaches the client once.
    reply = staff_reply("Hi Alice, looking at it now.", thread, "1700000500.000100")
    assert await world.event(reply, "EvStaff1") == 200
    for n in ("1", "2"):
        status = await world.event(
            reply, "EvStaff1", **{"X-Slack-Retry-Num": n, "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert status == 200
    client_posts = await world.posts_to("D1", 2)
    await world.posts_to("D1", 3, tries=150)  # give a late duplicate time to arrive
    texts = [p["text"] for p in world.api.posts() if p["channel"] == "D1"]
    assert texts[1:] == ["Hi Alice, looking at it now.\n— Sam Staff (support team)"], client_posts
    assert (await world.app.escalation.states.view(conversation)).taken_by == "Sam Staff"

    # The client writes: it goes to the staff thread, and the bot says nothing.
    before = len(await world.posts_to("D1", 2))
    assert await world.event(dm("It fails on the export page", ts="1.2"), "EvClient2") == 200
    staff_posts = await world.posts_to(STAFF, 4)
    assert any(p["text"] == "Alice Martin: It fails on the export page" for p in staff_posts), [
        p["text"] for p in staff_posts
    ]
    assert all(p.get("thread_ts") == thread for p in staff_posts[1:])
    assert len([p for p in world.api.posts() if p["channel"] == "D1"]) == before

    # Hand back from the thread; the bot answers again.
    assert await world.click(STAFF, thread, f"handoff:back:{conversation}", "Hand back") == 200
    handed = await world.posts_to("D1", 3)
    assert "handed you back to me" in handed[-1]["text"]
    assert await world.event(dm("/help", ts="1.3"), "EvHelp") == 200
    answered = await world.posts_to("D1", 4)
    assert "I'm Aftercare" in answered[-1]["text"]
    assert (await world.app.escalation.states.view(conversation)).state is EscalationState.BOT


async def test_take_button_files_as_links_and_save_as_faq(
    world: SlackWorld, settings: Settings
) -> None:
    assert await world.event(dm("How do I rotate the API keys?", ts="2.1"), "EvQ") == 200
    await world.posts_to("D1", 1)
    assert await world.event(dm("/human", ts="2.2"), "EvHuman") == 200
    await world.posts_to(STAFF, 1)
    conversation = await _conversation(world.app, "D1")
    thread = await world.thread_ts(conversation)

    assert await world.click(STAFF, thread, f"handoff:take:{conversation}", "Take it") == 200
    await world.posts_to("D1", 3)
    view = await world.app.escalation.states.view(conversation)
    assert view.state is EscalationState.HUMAN and view.taken_by == "Sam Staff"

    shared = staff_reply(
        "Settings > API > Rotate. Steps attached.",
        thread,
        "1700000600.000100",
        subtype="file_share",
        files=[{"name": "rotate.pdf", "permalink": "https://acme.slack.com/files/F1/rotate.pdf"}],
    )
    assert await world.event(shared, "EvFile") == 200
    posts = await world.posts_to("D1", 5)
    assert unescape(posts[-1]["text"]) == (  # what Slack shows of the escaped mrkdwn
        "Settings > API > Rotate. Steps attached.\nFiles:\n"
        "rotate.pdf: https://acme.slack.com/files/F1/rotate.pdf\n— Sam Staff (support team)"
    )
    staff_posts = await world.posts_to(STAFF, 3)
    sent = next(p for p in staff_posts if p["text"].startswith("Sent to Alice Martin"))
    button = next(e for b in sent["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["text"]["text"] == "Save as FAQ"
    assert await world.click(STAFF, "1700000000.999999", button["value"], "Save as FAQ") == 200
    drafts = settings.kb_dir / "drafts"
    for _ in range(200):
        if drafts.is_dir() and list(drafts.iterdir()):
            break
        await asyncio.sleep(0.02)
    [draft] = list(drafts.iterdir())
    text = draft.read_text(encoding="utf-8")
    assert "How do I rotate the API keys?" in text and "Settings > API > Rotate." in text


async def test_staff_talk_in_a_ticket_thread_gets_no_bot_answer(world: SlackWorld) -> None:
    from bot.storage.models import Project

    async with world.app.db.session() as session:
        project_id = await session.scalar(select(Project.id))
    assert project_id is not None
    await world.app.tickets.open(
        project_id=project_id, title="Export broken", description="x", severity="P3"
    )
    await world.posts_to(STAFF, 1)
    chatter = staff_reply("I'll look at this one", "1700000000.000001", "1700000700.000100")
    assert await world.event(chatter, "EvChatter") == 200
    assert await world.event(dm("/help", ts="3.1"), "EvHelp3") == 200
    await world.posts_to("D1", 1)
    await world.posts_to(STAFF, 2, tries=150)  # a wrong answer would have arrived by now
    assert len([p for p in world.api.posts() if p["channel"] == STAFF]) == 1


async def test_a_client_cannot_press_staff_buttons(world: SlackWorld) -> None:
    assert await world.event(dm("/human", ts="4.1"), "EvH4") == 200
    await world.posts_to(STAFF, 1)
    conversation = await _conversation(world.app, "D1")
    # The same payload clicked outside the staff channel does nothing.
    assert await world.click("D1", "4.2", f"handoff:take:{conversation}", "Take it") == 200
    await world.posts_to("D1", 3)
    assert (await world.app.escalation.states.view(conversation)).state is EscalationState.WAITING


STAFF_ACTIONS = (
    ("staff:ack:{ref}", "Acknowledge"),
    ("staff:mine:{ref}", "Assign to me"),
    ("staff:resolve:{ref}", "Resolve"),
    ("handoff:take:{conversation}", "Take it"),
    ("handoff:back:{conversation}", "Hand back to the bot"),
    ("handoff:ticket:{conversation}", "Open a ticket"),
    ("handoff:faq:{conversation}", "Save as FAQ"),
)


@pytest.mark.parametrize(("pattern", "label"), STAFF_ACTIONS)
@pytest.mark.parametrize("where", ["client DM", "client account in the staff channel"])
async def test_no_staff_action_from_a_client(
    world: SlackWorld, pattern: str, label: str, where: str
) -> None:
    """Every staff button, clicked from a client's own DM (even one whose message carries
    the button) or by a client's account in the staff channel, changes nothing."""
    app = world.app
    await app.directory.add_client("Globex Logistics", "GLOBEX")
    await app.directory.add_project("GLOBEX", "Warehouse", START.date(), 12, "gold", "UTC")
    await app.directory.add_contact("GLOBEX", "li", "Li", lang="en")
    await app.directory.link("GLOBEX", "li", "slack", "ULI", TEAM)
    async with app.db.session() as session:
        project = await session.scalar(select(Project.id).where(Project.name == "Warehouse"))
    assert project is not None
    ticket = await app.tickets.open(
        project_id=project, title="Scanner down", description="x", severity="P1"
    )
    assert await world.event(dm("/human", ts="5.1"), "EvH5") == 200
    await world.posts_to(STAFF, 2)
    conversation = await _conversation(app, "D1")
    await settle(app)
    before_posts = len(world.api.posts())
    before = await app.tickets.get(ticket.ref)
    value = pattern.format(ref=ticket.ref, conversation=conversation)
    channel = "D1" if where == "client DM" else STAFF
    assert await world.click(channel, "5.2", value, label, user="UALICE") == 200
    await settle(app)
    after = await app.tickets.get(ticket.ref)
    assert (after.status, after.assignee) == (before.status, before.assignee)
    assert (await app.escalation.states.view(conversation)).state is EscalationState.WAITING
    staff_posts = [p for p in world.api.posts()[before_posts:] if p["channel"] == STAFF]
    assert staff_posts == []  # no "acknowledged by", no draft saved, no ticket opened
    async with app.db.session() as session:
        actors = set(await session.scalars(select(TicketEvent.actor)))
    assert not any("alice" in (a or "").lower() for a in actors)


async def test_a_client_account_writing_in_a_staff_thread_is_not_relayed(
    world: SlackWorld,
) -> None:
    assert await world.event(dm("/human", ts="6.1"), "EvH6") == 200
    await settle(world.app)
    conversation = await _conversation(world.app, "D1")
    thread = await world.thread_ts(conversation)
    before = len(await world.posts_to("D1", 1))
    forged = staff_reply("Your refund is approved", thread, "1700000600.1", user="UALICE")
    assert await world.event(forged, "EvForged") == 200
    await settle(world.app)
    assert len([p for p in world.api.posts() if p["channel"] == "D1"]) == before


async def test_a_slack_reply_is_signed_with_the_linked_staff_account(world: SlackWorld) -> None:
    """The staff account linked to a Slack user signs that user's replies, as the console
    does, whatever the Slack profile says."""
    await world.app.staff.add(
        "Samantha Lee",
        "sam@support.example",
        "agent",
        "correct horse battery",
        slack_user_id="USAM",
    )
    assert await world.event(dm("can I talk to a human", ts="2.1"), "EvAsk2") == 200
    await world.posts_to(STAFF, 1)
    thread = await world.thread_ts(await _conversation(world.app, "D1"))
    reply = staff_reply("On it.", thread, "1700000600.000100")
    assert await world.event(reply, "EvStaffLinked") == 200
    await world.posts_to("D1", 2)
    texts = [p["text"] for p in world.api.posts() if p["channel"] == "D1"]
    assert texts[-1] == "On it.\n— Samantha Lee (support team)"
