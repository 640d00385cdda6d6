"""Fake Slack Web API and Telegram Bot API in a process of their own, for load and chaos runs.

Prints one JSON line with both base URLs, then serves until killed. Every chat.postMessage and
sendMessage is counted per chat, with when the first one arrived and whether it cited a source;
GET /_stats (on either port) returns those counts.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# What the bot says when it could not answer from the knowledge base.
_ERRORS = ("Something went wrong", "can't search the knowledge base", "系统出了点问题")
BOT = {"id": 987654321, "is_bot": True, "first_name": "Aftercare", "username": "aftercare_bot"}


class Counts:
    def __init__(self) -> None:
        self.chats: dict[str, dict[str, dict[str, Any]]] = {"slack": {}, "telegram": {}}
        self.calls: dict[str, int] = {}

    def post(self, platform: str, chat: str, text: str) -> None:
        row = self.chats[platform].setdefault(
            chat, {"n": 0, "first": time.time(), "cited": 0, "errors": 0}
        )
        row["n"] += 1
        row["cited"] += int("Source" in text)
        row["errors"] += int(any(sign in text for sign in _ERRORS))


async def _args(request: Request) -> dict[str, Any]:
    raw = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(raw or "{}")
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl(raw, keep_blank_values=True))


def apps(counts: Counts) -> tuple[Starlette, Starlette]:
    ts = itertools.count(1)
    message_ids = itertools.count(1000)

    async def stats(_request: Request) -> JSONResponse:
        return JSONResponse({"chats": counts.chats, "calls": counts.calls})

    async def slack(request: Request) -> JSONResponse:
        method = request.path_params["method"]
        counts.calls[method] = counts.calls.get(method, 0) + 1
        args = await _args(request)
        if method == "auth.test":
            return JSONResponse({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"})
        if method == "users.info":
            user = str(request.query_params.get("user") or args.get("user"))
            return JSONResponse({"ok": True, "user": {"id": user, "name": user.lower()}})
        if method == "chat.postMessage":
            blocks = args.get("blocks")
            shown = blocks if isinstance(blocks, str) else json.dumps(blocks, ensure_ascii=False)
            counts.post("slack", str(args.get("channel")), f"{args.get('text')} {shown}")
        stamp = f"1700000000.{next(ts):06d}"
        return JSONResponse({"ok": True, "channel": args.get("channel"), "ts": stamp})

    async def telegram(request: Request) -> JSONResponse:
        method = request.path_params["method"]
        counts.calls[method] = counts.calls.get(method, 0) + 1
        args = await _args(request)
        result: Any = True
        if method == "getMe":
            result = BOT
        elif method == "getUpdates":
            await asyncio.sleep(1)
            result = []
        elif method == "sendMessage":
            chat = str(args.get("chat_id"))
            counts.post("telegram", chat, str(args.get("text")))
            result = {
                "message_id": next(message_ids),
                "date": int(time.time()),
                "chat": {"id": int(chat), "type": "private", "first_name": "Client"},
                "from": BOT,
                "text": str(args.get("text"))[:100],
            }
        return JSONResponse({"ok": True, "result": result})

    slack_app = Starlette(
        routes=[
            Route("/_stats", stats, methods=["GET"]),
            Route("/api/{method}", slack, methods=["GET", "POST"]),
        ]
    )
    telegram_app = Starlette(
        routes=[
            Route("/_stats", stats, methods=["GET"]),
            Route("/{bot}/{method}", telegram, methods=["GET", "POST"]),
        ]
    )
    return slack_app, telegram_app


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    counts = Counts()
    servers = []
    for app in apps(counts):
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", access_log=False
        )
        server = uvicorn.Server(config)
        servers.append(server)
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    for server in servers:
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.02)
    ports = [s.servers[0].sockets[0].getsockname()[1] for s in servers]
    print(
        json.dumps(
            {"slack": f"http://127.0.0.1:{ports[0]}", "telegram": f"http://127.0.0.1:{ports[1]}"}
        ),
        flush=True,
    )
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
