"""The real Bolt app behind `aftercare serve` over loopback HTTP, against a fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from adapters.channels import configured_channels
from adapters.http.server import build_asgi
from bot.app import App
from bot.core.messages import Address, Reply
from bot.core.protocols import Tier
from bot.features.tickets.staff import staff_buttons
from tests.support.fakes import FakeKnowledgeBase, hit
from tests.support.helpers import settle
from tests.support.http import serve_on_free_port
from tests.support.slack import SECRET, TEAM, FakeSlackApi, click_body, dm, event_body, signed

pytestmark = pytest.mark.usefixtures("no_proxy")


@dataclass
class Running:
    api: FakeSlackApi
    http: httpx.AsyncClient
    app: App


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


@pytest.fixture
async def slack(seeded: App) -> AsyncIterator[Running]:
    app = seeded
    await app.directory.link("ACME", "alice", "slack", "UALICE", TEAM)
    api = FakeSlackApi()
    api_server, api_task, api_base = await serve_on_free_port(api.asgi())
    app.settings.slack_bot_token = SecretStr("xoxb-test")
    app.settings.slack_signing_secret = SecretStr(SECRET)
    app.settings.slack_api_url = f"{api_base}/api/"
    app.settings.slack_staff_channel = "CSTAFF"
    channels = configured_channels(app)
    assert [c.name for c in channels] == ["slack"]
    server, task, base = await serve_on_free_port(build_asgi(app, channels))
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            yield Running(api, http, app)
    finally:
        await _stop(server, task)
        await _stop(api_server, api_task)


async def _post_event(http: httpx.AsyncClient, body: str, **headers: str) -> httpx.Response:
    return await http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/json", **signed(body), **headers},
    )


async def test_healthz_lists_slack(slack: Running) -> None:
    response = await slack.http.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "channels": ["slack"]}


async def test_question_gets_answer_with_citation(slack: Running, kb: FakeKnowledgeBase) -> None:
    kb.add(
        "support hours",
        Tier.CONFIDENT,
        hit("hours", "Support hours", "Use the <portal> & call us."),
    )
    response = await _post_event(slack.http, event_body(dm("What are your support hours?")))
    assert response.status_code == 200
    [post] = await slack.api.wait_for("chat.postMessage", 1)
    assert post["channel"] == "D1"
    section, context = post["blocks"][0], post["blocks"][1]
    assert "&lt;portal&gt; &amp; call us" in section["text"]["text"]
    assert context["type"] == "context"
    assert "Support hours › Answer" in context["elements"][0]["text"]


async def test_retried_event_is_answered_once(slack: Running) -> None:
    body = event_body(dm("/help"), event_id="EvRETRY")
    first = await _post_event(slack.http, body)
    for n in ("1", "2"):
        again = await _post_event(
            slack.http, body, **{"X-Slack-Retry-Num": n, "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert again.status_code == 200
    assert first.status_code == 200
    await slack.api.wait_for("chat.postMessage", 1)
    await slack.api.wait_for("chat.postMessage", 2)  # give a late duplicate time to arrive
    assert len(slack.api.posts()) == 1


async def test_bot_messages_are_ignored(slack: Running) -> None:
    own = dm("I am the bot", user="UBOT", ts="1.1")
    other = {**dm("another bot", ts="1.2"), "bot_id": "BOTHER", "subtype": "bot_message"}
    await _post_event(slack.http, event_body(own, event_id="EvOwn"))
    await _post_event(slack.http, event_body(other, event_id="EvOther"))
    await _post_event(slack.http, event_body(dm("/help", ts="1.3"), event_id="EvHuman"))
    posts = await slack.api.wait_for("chat.postMessage", 3)
    assert len(posts) == 1  # only the human's /help


@pytest.mark.parametrize("forge", ["signature", "stale"])
async def test_forged_or_stale_requests_get_401(slack: Running, forge: str) -> None:
    body = event_body(dm("/help"), event_id=f"Ev{forge}")
    if forge == "signature":
        headers = signed(body, secret="not-the-secret")
    else:
        headers = signed(body, ts=int(time.time()) - 600)
    response = await slack.http.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json", **headers}
    )
    assert response.status_code == 401
    await slack.api.wait_for("chat.postMessage", 1)
    assert slack.api.posts() == []


async def test_button_click_updates_message_and_reaches_core(slack: Running) -> None:
    await _post_event(slack.http, event_body(dm("what is the weather on mars"), event_id="EvLow"))
    [post] = await slack.api.wait_for("chat.postMessage", 1)
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    button = actions["elements"][0]
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "UALICE", "username": "alice", "team_id": TEAM},
        "container": {"type": "message", "channel_id": "D1", "message_ts": "1700000000.000001"},
        "channel": {"id": "D1"},
        "message": {"ts": "1700000000.000001", "text": post["text"], "blocks": post["blocks"]},
        "trigger_id": "trigger.click",
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": actions["block_id"],
                "value": button["value"],
                "text": button["text"],
                "type": "button",
                "action_ts": "1700000002.000000",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    response = await slack.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
    )
    assert response.status_code == 200
    [update] = await slack.api.wait_for("chat.update", 1)
    assert update["ts"] == "1700000000.000001"
    assert all(b["type"] != "actions" for b in update["blocks"])
    assert button["text"]["text"] in update["blocks"][-1]["elements"][0]["text"]
    posts = await slack.api.wait_for("chat.postMessage", 2)
    assert len(posts) == 2  # the core answered the click
    async with slack.app.db.session() as session:
        from sqlalchemy import select

        from bot.storage.models import Message

        payloads = [m.platform_message_id for m in await session.scalars(select(Message))]
    assert "action:D1:1700000000.000001" in payloads


async def test_staff_thread_per_key(slack: Running) -> None:
    staff = Address("slack", "", "CSTAFF")
    for n in (1, 2):
        reply = Reply(
            f"update {n}",
            buttons=staff_buttons("ACME-4"),
            kind="ticket_staff",
            meta={"thread_key": "ticket:ACME-4"},
        )
        await slack.app.outbox.enqueue(staff, reply, key=f"k{n}")
        await slack.api.wait_for("chat.postMessage", n)
    first, second = slack.api.posts()
    assert first.get("thread_ts") is None
    assert second["thread_ts"] == "1700000000.000001"
    labels = [
        e["text"]["text"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Acknowledge", "Assign to me", "Resolve"]


async def test_slash_command_runs_core_command(slack: Running) -> None:
    form = {
        "command": "/aftercare",
        "text": "mytickets",
        "team_id": TEAM,
        "channel_id": "D1",
        "user_id": "UALICE",
        "user_name": "alice",
        "trigger_id": "trig1",
        "response_url": "http://127.0.0.1:9/unused",
    }
    body = urlencode(form)
    response = await slack.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
    )
    assert response.status_code == 200
    [post] = await slack.api.wait_for("chat.postMessage", 1)
    assert post["channel"] == "D1"
    assert "ticket" in post["text"].lower()


async def test_staff_acknowledge_button_calls_ticket_service(slack: Running) -> None:
    from sqlalchemy import select

    from bot.storage.models import Project

    async with slack.app.db.session() as session:
        project_id = await session.scalar(select(Project.id))
    assert project_id is not None
    ticket = await slack.app.tickets.open(
        project_id=project_id, title="Export broken", description="x", severity="P2"
    )
    slack.api.users["USTAFF"] = "sam"  # staff sign with their Slack display name
    body = click_body(f"staff:ack:{ticket.ref}", channel="CSTAFF", user="USTAFF")
    response = await slack.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
    )
    assert response.status_code == 200
    await settle(slack.app)
    posts = slack.api.posts()
    assert any(f"{ticket.ref}: acknowledged by sam" in p["text"] for p in posts), slack.api.calls
    assert (await slack.app.tickets.get(ticket.ref)).status == "acknowledged"


async def test_a_database_outage_mid_turn_is_retried_not_answered(
    slack: Running, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    real = slack.app.engine.handle
    calls = 0

    async def flaky(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("UPDATE", {}, ConnectionError("server closed the connection"))
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    slack.app.engine.handle = flaky  # type: ignore[method-assign]
    response = await _post_event(slack.http, event_body(dm("/help"), event_id="EvOutage"))
    assert response.status_code == 200
    for _ in range(200):
        if (await slack.app.intake.backlog())["pending"] == 1:
            break
        await asyncio.sleep(0.02)
    [event] = await slack.app.intake.events()
    assert event.state == "pending" and event.attempts == 1  # backing off, to be retried
    assert slack.api.posts() == []  # no "something went wrong" to the client
    assert "database unavailable" in caplog.text and "Traceback" not in caplog.text
