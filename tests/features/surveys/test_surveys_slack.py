"""A CSAT survey through the real Slack adapter: the question as buttons, a click that replaces
them, the vote counted once however often the click arrives, staff told in a thread."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from adapters.channels import configured_channels
from adapters.http.server import build_asgi
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from bot.storage.models import Conversation, Project
from tests.support.http import serve_on_free_port
from tests.support.slack import SECRET, TEAM, FakeSlackApi, dm, event_body, signed
from tests.support.surveys import surveys

pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, database_url=database_url, slack_staff_channel="CSTAFF"
    )


@pytest.fixture
async def slack(seeded: App) -> AsyncIterator[tuple[FakeSlackApi, httpx.AsyncClient]]:
    await seeded.directory.link("ACME", "alice", "slack", "UALICE", TEAM)
    api = FakeSlackApi()
    api_server, api_task, api_base = await serve_on_free_port(api.asgi())
    seeded.settings.slack_bot_token = SecretStr("xoxb-test")
    seeded.settings.slack_signing_secret = SecretStr(SECRET)
    seeded.settings.slack_api_url = f"{api_base}/api/"
    server, task, base = await serve_on_free_port(build_asgi(seeded, configured_channels(seeded)))
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            yield api, http
    finally:
        for running, runner in ((server, task), (api_server, api_task)):
            running.should_exit = True
            await runner


def _click(post: dict[str, Any], ts: str, label: str) -> str:
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e["text"]["text"] == label)
    payload = {
        "type": "block_actions",
        "trigger_id": f"trigger.{ts}",
        "team": {"id": TEAM},
        "user": {"id": "UALICE", "username": "alice", "team_id": TEAM},
        "container": {"type": "message", "channel_id": "D1", "message_ts": ts},
        "channel": {"id": "D1"},
        "message": {"ts": ts, "text": post["text"], "blocks": post["blocks"]},
        "actions": [{**button, "block_id": actions["block_id"], "action_ts": f"{ts}9"}],
    }
    return urlencode({"payload": json.dumps(payload)})


async def test_csat_over_slack(
    seeded: App, clock: FakeClock, slack: tuple[FakeSlackApi, httpx.AsyncClient]
) -> None:
    api, http = slack
    body = event_body(dm("/help"), event_id="EvHello")
    await http.post(
        "/slack/events", content=body, headers={**signed(body), "Content-Type": "application/json"}
    )
    await api.wait_for("chat.postMessage", 1)
    async with seeded.db.session() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.chat_id == "D1")
        )
        project_id = await session.scalar(select(Project.id))
    assert conversation is not None and project_id is not None
    ticket = await seeded.tickets.open(
        project_id=project_id,
        title="Export broken",
        description="x",
        severity="P3",
        reporter_contact_id=conversation.contact_id,
        conversation_id=conversation.id,
    )
    await seeded.tickets.resolve(ticket.ref, "bob")
    clock.advance(timedelta(hours=24))
    await seeded.scheduler.run_due()
    posts = await api.wait_for("chat.postMessage", 4)  # /help, opened (staff), resolved, CSAT
    question = next(p for p in posts if "How satisfied" in p["text"])
    labels = [
        e["text"]["text"]
        for b in question["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert labels == ["1", "2", "3", "4", "5"]

    click = _click(question, "1700000000.000004", "2")
    for _ in range(2):  # the same click delivered twice
        response = await http.post(
            "/slack/events",
            content=click,
            headers={**signed(click), "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 200
    [update, *_] = await api.wait_for("chat.update", 2)
    assert all(b["type"] != "actions" for b in update["blocks"])
    assert "chose *2*" in update["blocks"][-1]["elements"][0]["text"]
    posts = await api.wait_for("chat.postMessage", 7)  # 6 expected; waits out a late duplicate
    thanks = [p for p in posts if p["channel"] == "D1" and "reach out" in p["text"]]
    staff = [p for p in posts if p["channel"] == "CSTAFF" and "Low score" in p["text"]]
    assert len(thanks) == 1 and len(staff) == 1
    [survey] = await surveys(seeded)
    assert survey.score == 2
    assert len(await seeded.surveys.followups()) == 1
