"""The issue's end-to-end handoff with fake Slack (staff) and fake Telegram (client) together:
a Telegram client asks for a person, staff answer in the Slack thread, hand back, the bot
answers again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.http.server import build_asgi
from adapters.slack.adapter import SlackAdapter
from bot.app import App
from bot.core.settings import Settings
from bot.features.escalation.state import EscalationState
from tests.features.escalation.test_escalation_slack import STAFF, SlackWorld, staff_reply
from tests.support.http import serve_on_free_port
from tests.support.slack import SECRET as SLACK_SECRET
from tests.support.slack import FakeSlackApi
from tests.support.telegram import ALICE, SECRET, FakeBotApi, private_text, telegram_adapter

pytestmark = pytest.mark.usefixtures("no_proxy")
CHAT = str(ALICE["id"])


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.slack_staff_channel = STAFF
    settings.kb_dir = tmp_path / "kb"
    return settings


@dataclass
class Both:
    slack: SlackWorld
    telegram: FakeBotApi

    async def client_says(self, text: str) -> int:
        response = await self.slack.http.post(
            "/telegram/webhook",
            json=private_text(text),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        return response.status_code

    async def telegram_texts(self, count: int, tries: int = 400) -> list[str]:
        """Wait for `count` messages to the client's Telegram chat; return their texts."""
        for _ in range(tries):
            texts = [str(a["text"]) for a in self.telegram.sent() if str(a["chat_id"]) == CHAT]
            if len(texts) >= count:
                return texts
            await asyncio.sleep(0.02)
        return [str(a["text"]) for a in self.telegram.sent() if str(a["chat_id"]) == CHAT]


@pytest.fixture
async def both(seeded: App) -> AsyncIterator[Both]:
    app = seeded
    await app.directory.link("ACME", "alice", "telegram", CHAT)
    slack_api = FakeSlackApi()
    slack_api.users["USAM"] = "Sam Staff"
    api_server, api_task, api_base = await serve_on_free_port(slack_api.asgi())
    app.settings.slack_bot_token = SecretStr("xoxb-test")
    app.settings.slack_signing_secret = SecretStr(SLACK_SECRET)
    app.settings.slack_api_url = f"{api_base}/api/"
    bot_api = FakeBotApi()
    channels = [SlackAdapter(app), telegram_adapter(app, bot_api)]
    server, task, base = await serve_on_free_port(build_asgi(app, channels))
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            yield Both(SlackWorld(slack_api, http, app), bot_api)
    finally:
        for stopping, running in ((server, task), (api_server, api_task)):
            stopping.should_exit = True
            await running


async def _conversation(app: App) -> int:
    from sqlalchemy import select

    from bot.storage.models import Conversation

    async with app.db.session() as session:
        found = await session.scalar(
            select(Conversation.id).where(
                Conversation.channel == "telegram", Conversation.chat_id == CHAT
            )
        )
    assert found is not None
    return found


async def test_telegram_client_reaches_a_person_in_slack_and_back(both: Both) -> None:
    # The client asks for a person on Telegram and is told when one will answer.
    assert await both.client_says("can I talk to a human") == 200
    [told] = await both.telegram_texts(1)
    assert "a person from the team" in told and "Europe/Berlin" in told

    # The staff thread appears in Slack, saying the client is on Telegram.
    [root] = await both.slack.posts_to(STAFF, 1)
    assert "Alice Martin (Acme Corp, ACME) needs a person" in root["text"]
    assert "Channel: telegram" in root["text"]
    conversation = await _conversation(both.slack.app)
    thread = await both.slack.thread_ts(conversation)

    # A staff reply in the thread (delivered by Slack twice) reaches the Telegram chat once.
    reply = staff_reply("Hello Alice, I'm on it.", thread, "1700000900.000100")
    assert await both.slack.event(reply, "EvTg1") == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await both.slack.event(reply, "EvTg1", **retry) == 200
    await both.telegram_texts(2)
    texts = await both.telegram_texts(3, tries=150)  # a duplicate would have arrived by now
    assert len(texts) == 2
    assert "Hello Alice, I'm on it." in texts[1] and "Sam Staff (support team)" in texts[1]

    # The client's answer goes to the thread; the bot stays quiet on Telegram.
    assert await both.client_says("Thanks, the export works again") == 200
    staff = await both.slack.posts_to(STAFF, 4)
    assert any(p["text"] == "Alice Martin: Thanks, the export works again" for p in staff)
    assert len(await both.telegram_texts(3, tries=50)) == 2

    # Hand back from Slack: the client gets a note, and the bot answers again.
    assert await both.slack.click(STAFF, thread, f"handoff:back:{conversation}", "Hand back") == 200
    texts = await both.telegram_texts(3)
    assert "handed you back to me" in texts[2]
    assert await both.client_says("/help") == 200
    texts = await both.telegram_texts(4)
    assert "Aftercare" in texts[3] and "/ticket" in texts[3]
    assert (await both.slack.app.escalation.states.view(conversation)).state is EscalationState.BOT
