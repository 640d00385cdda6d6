"""Through the real entry point: a webhook added with `aftercare webhook add`, a ticket filed
by a Telegram client through `aftercare serve`, and the receiver gets a signed ticket.created."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import App
from tests.support.http import serve_on_free_port
from tests.support.serve_process import cli, serve
from tests.support.telegram import ALICE, SECRET, TOKEN, FakeBotApi, private_text
from tests.support.webhooks import Receiver, receiver

pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeBotApi, str]]:
    api = FakeBotApi()
    server, task, url = await serve_on_free_port(api.asgi())
    try:
        yield api, url
    finally:
        server.should_exit = True
        await task


async def _until_sent(api: FakeBotApi, count: int) -> None:
    for _ in range(1200):
        if len(api.sent()) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot sent {len(api.sent())} messages, not {count}")


async def _until_received(hook: Receiver, count: int) -> None:
    for _ in range(1200):
        if len(hook.got) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the receiver got {len(hook.got)} deliveries, not {count}")


async def test_a_ticket_filed_on_telegram_reaches_the_webhook_signed(
    seeded: App, database_url: str, tmp_path: Path, telegram: tuple[FakeBotApi, str]
) -> None:
    await seeded.directory.link("ACME", "alice", "telegram", str(ALICE["id"]))
    api, api_url = telegram
    env = {
        "AFTERCARE_DATABASE_URL": database_url,
        "AFTERCARE_DATA_DIR": str(tmp_path / "var"),
        "AFTERCARE_INDEX_DIR": str(tmp_path / "no-index"),
        "AFTERCARE_TELEGRAM_TOKEN": TOKEN,
        "AFTERCARE_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AFTERCARE_TELEGRAM_API_URL": f"{api_url}/bot",
        "AFTERCARE_LOG_LEVEL": "INFO",
    }
    async with receiver() as hook:
        added = await cli(
            env, "webhook", "add", hook.url, "--events", "ticket.created,ticket.updated"
        )
        hook.secret = added.splitlines()[1].removeprefix("secret: ")
        server = serve(env)
        await server.start()
        try:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with httpx.AsyncClient(base_url=await server.url()) as http:
                lines = ("/ticket", "CSV export fails", "Clicking Export gives a 500 error", "P2")
                for number, text in enumerate(lines, start=1):
                    update = private_text(text, update_id=9300 + number)
                    answer = await http.post("/telegram/webhook", json=update, headers=headers)
                    assert answer.status_code == 200
                    await _until_sent(api, number)
            assert "ACME-1" in api.sent()[-1]["text"], api.sent()[-1]
            await _until_received(hook, 1)
            await cli(env, "ticket", "ack", "ACME-1", "--by", "bob")
            await _until_received(hook, 2)
        finally:
            await server.stop()
        pinged = await cli(env, "webhook", "test", "1")  # sent by the CLI itself
        assert "\tping\t" in pinged and "attempt 1\tHTTP 200" in pinged
    created, acked, ping = hook.got
    assert ping.valid and ping.json["event"] == "ping" and ping.json["data"] == {"webhook_id": 1}
    assert created.valid and acked.valid, server.output[-2000:]
    assert created.headers["x-aftercare-event"] == "ticket.created"
    assert created.json["data"]["ticket"]["ref"] == "ACME-1"
    assert created.json["data"]["ticket"]["severity"] == "P2"
    assert acked.json["event"] == "ticket.updated"
    assert acked.json["data"]["change"]["to"] == "acknowledged"
    log = await cli(env, "webhook", "deliveries", "1")
    assert log.count("HTTP 200") == 3 and "ticket.created" in log
