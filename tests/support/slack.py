"""A loopback fake of the Slack Web API and Slack-style request signing for the Slack tests."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SECRET = "test-signing-secret"
BOT_USER = "UBOT"
TEAM = "T0ACME"


class FakeSlackApi:
    """Records every Web API call as (method, arguments) and answers {"ok": true, ...}."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.users: dict[str, str] = {}  # user id -> display name, for users.info
        self._ts = itertools.count(1)
        self._limits: dict[str, tuple[int, int]] = {}

    def limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with a Retry-After header."""
        self._limits[method] = (times, retry_after)

    def asgi(self) -> Starlette:
        async def api(request: Request) -> JSONResponse:
            method = request.path_params["method"]
            raw = (await request.body()).decode()
            if request.headers.get("content-type", "").startswith("application/json"):
                args: dict[str, Any] = json.loads(raw or "{}")
            else:
                args = dict(parse_qsl(raw))
            args.update(request.query_params)  # GET methods (users.info) send query params
            times, after = self._limits.get(method, (0, 0))
            if times > 0:
                self._limits[method] = (times - 1, after)
                self.calls.append((f"429:{method}", args))
                return JSONResponse(
                    {"ok": False, "error": "ratelimited"},
                    status_code=429,
                    headers={"Retry-After": str(after)},
                )
            self.calls.append((method, args))
            if method == "auth.test":
                return JSONResponse(
                    {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": TEAM}
                )
            if method == "users.info":
                user = str(args.get("user"))
                name = self.users.get(user, "")
                profile = {"display_name": name, "real_name": name}
                return JSONResponse(
                    {"ok": True, "user": {"id": user, "name": user.lower(), "profile": profile}}
                )
            ts = f"1700000000.{next(self._ts):06d}"
            return JSONResponse({"ok": True, "channel": args.get("channel"), "ts": ts})

        return Starlette(routes=[Route("/api/{method}", api, methods=["GET", "POST"])])

    def posts(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    async def wait_for(self, method: str, count: int) -> list[dict[str, Any]]:
        """Poll until `count` calls of `method` arrived (Bolt answers after it has acked)."""
        for _ in range(250):
            if len(self.posts(method)) >= count:
                break
            await asyncio.sleep(0.02)
        return self.posts(method)


def signed(body: str, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    """Headers exactly as Slack signs a request: v0:{ts}:{body}, HMAC-SHA256."""
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], event_id: str = "Ev001") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            "event": event,
        }
    )


def dm(
    text: str, *, user: str = "UALICE", ts: str = "1700000001.000100", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "user": user,
        "team": TEAM,
        "text": text,
        "ts": ts,
        **extra,
    }


_triggers = itertools.count(1)


def click_body(
    value: str,
    *,
    channel: str = "D1",
    user: str = "UALICE",
    username: str = "alice",
    label: str = "Choose",
    message: dict[str, Any] | None = None,
    team: str = TEAM,
) -> str:
    """A signed-ready block_actions form body for a click on `value`. The clicked message (as
    Slack holds it) carries that button unless `message` says otherwise."""
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "value": value,
        "action_id": "aftercare_0",
    }
    held = message or {
        "ts": "1700000000.000009",
        "text": "message with buttons",
        "blocks": [{"type": "actions", "block_id": "aftercare_buttons", "elements": [button]}],
    }
    payload = {
        "type": "block_actions",
        "trigger_id": f"trigger.{next(_triggers)}",
        "team": {"id": team},
        "user": {"id": user, "username": username, "team_id": team},
        "container": {"type": "message", "channel_id": channel, "message_ts": held["ts"]},
        "channel": {"id": channel},
        "message": held,
        "actions": [{**button, "block_id": "aftercare_buttons", "action_ts": "1700000002.0"}],
    }
    return urlencode({"payload": json.dumps(payload)})
