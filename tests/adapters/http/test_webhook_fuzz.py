"""Hostile bodies at the real intake routes (in-process ASGI): signed or not, every answer is a
short 2xx/4xx, never a 500, and nothing unparseable is recorded."""

from __future__ import annotations

import json
import random
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from adapters.channels import configured_channels
from adapters.http.server import build_asgi
from bot.app import App
from tests.support.slack import SECRET as SLACK_SECRET
from tests.support.slack import signed
from tests.support.telegram import SECRET, TOKEN

FRAGMENTS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"\\",
    b"\xff",
    b"\xc3\x28",
    b"\x00",
    b'{"type": "event_callback"',
    b'"event_id": "Ev1"',
    b'"update_id": 1',
    b'"message": {"chat": {"id": -1}}',
    b'"callback_query": {"data": "x"}',
    b"payload=",
    b"%7B%22type%22%3A%22block_actions%22%7D",
    b"null",
    b"1e999",
    b"\xed\xa0\x80",
]


def _body(rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return b"".join(rng.choice(FRAGMENTS) for _ in range(rng.randrange(12)))
    if kind == 1:
        depth = rng.choice([10, 70, 5000])
        return b'{"update_id": 1, "message": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == 2:
        return rng.randbytes(rng.randrange(64))
    payload = {"type": "block_actions", "actions": rng.choice([[], None, [{}], "x"])}
    return urlencode({"payload": json.dumps(payload)}).encode()


async def test_hostile_bodies_get_short_answers_and_nothing_bad_is_recorded(app: App) -> None:
    app.settings.slack_bot_token = SecretStr("xoxb-test")
    app.settings.slack_signing_secret = SecretStr(SLACK_SECRET)
    app.settings.telegram_token = SecretStr(TOKEN)
    app.settings.telegram_webhook_secret = SecretStr(SECRET)
    asgi = build_asgi(app, configured_channels(app))
    rng = random.Random(20261202)
    seen: set[int] = set()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=asgi), base_url="http://test"
    ) as http:
        for _ in range(300):
            body = _body(rng)
            content_type = rng.choice(
                ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
            )
            if rng.random() < 0.5:
                text = body.decode("latin-1")
                headers = {**signed(text), "Content-Type": content_type}
                response = await http.post("/slack/events", content=body, headers=headers)
            else:
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                response = await http.post("/telegram/webhook", content=body, headers=headers)
            seen.add(response.status_code)
            assert response.status_code in (200, 400, 401, 403, 413), response.text
    assert 400 in seen
    backlog = await app.intake.backlog()
    events = await app.intake.events(limit=1000)
    for event in events:  # whatever was recorded parsed as a real event (Slack signs with
        assert event.key.startswith(("slack:", "telegram:"))  # latin-1 here, so some pass)
    assert backlog["dead"] == 0
