"""A fake Telegram Bot API (an httpx.MockTransport) and update builders, for Telegram tests.

Typical use (see tests/test_telegram.py):

    api = FakeBotApi()
    adapter = telegram_adapter(app, api)          # the real TelegramAdapter and PTB Application
    await adapter.start(embedded=False)           # PTB calls getMe
    await feed(adapter, private_text("hello"))    # or POST it to /telegram/webhook with SECRET
    [sent] = api.sent()                           # sendMessage arguments, JSON values decoded
    click = callback(api.message(sent), index=0)  # click the first button of that message
    await adapter.stop()

PTB posts form-encoded bodies: strings as they are, other values (chat_id, reply_markup, ...)
JSON-encoded; `calls` holds them decoded. Each sent or edited message is kept, as Telegram
would return it, so a test can click its buttons.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
from typing import Any
from urllib.parse import parse_qsl

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.telegram.adapter import TelegramAdapter
from bot.app import App

TOKEN = "123456789:AAtest-token-for-the-fake-bot-api-0123"
SECRET = "test-webhook-secret_0123"
BOT = {
    "id": 987654321,
    "is_bot": True,
    "first_name": "Aftercare",
    "username": "aftercare_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
ALICE = {"id": 1001, "is_bot": False, "first_name": "Alice", "last_name": "Martin"}
BOB = {"id": 1002, "is_bot": False, "first_name": "Bob"}
GROUP_ID = -1001234567890
DATE = 1772442000  # 2026-03-02 09:00 UTC, the tests' START

# Parameters PTB sends as plain strings; every other one is JSON.
_STRINGS = {"text", "parse_mode", "callback_query_id", "url", "secret_token", "caption"}
_TAG = re.compile(r"<[^>]+>")
_ids = itertools.count(1)


class FakeBotApi:
    """Plays the Bot API: records every call as (method, args) and answers like Telegram.

    `fail(method, times)` makes the next `times` calls of `method` fail to connect.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []  # served to getUpdates (long polling)
        self._failures: dict[str, int] = {}
        self._limits: dict[str, tuple[int, int]] = {}
        self._message_ids = itertools.count(500)
        self.transport = httpx.MockTransport(self._handle)

    def fail(self, method: str, times: int = 1) -> None:
        self._failures[method] = times

    def limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with `retry_after` seconds."""
        self._limits[method] = (times, retry_after)

    def asgi(self) -> Starlette:
        """The same fake over real HTTP (`/bot<token>/<method>`), for a server process."""

        async def api(request: Request) -> Response:
            answer = await self._handle(
                httpx.Request("POST", str(request.url), content=await request.body())
            )
            return Response(answer.content, answer.status_code, media_type="application/json")

        return Starlette(routes=[Route("/{bot}/{method}", api, methods=["GET", "POST"])])

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """The arguments of every call of `method`, in order."""
        return [args for name, args in self.calls if name == method]

    def message(self, args: dict[str, Any]) -> dict[str, Any]:
        """The message Telegram holds for a sendMessage call's arguments (or an edit's)."""
        chat_id = int(args["chat_id"])
        if "message_id" in args:
            return self.messages[(chat_id, int(args["message_id"]))]
        for (chat, _), message in reversed(self.messages.items()):
            if chat == chat_id and message["_sent"] is args:
                return message
        raise KeyError("no such message")

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        args = _decode(request.content.decode())
        if self._failures.get(method, 0) > 0:
            self._failures[method] -= 1
            raise httpx.ConnectError("fake: connection refused", request=request)
        times, after = self._limits.get(method, (0, 0))
        if times > 0:
            self._limits[method] = (times - 1, after)
            self.calls.append((f"429:{method}", args))
            return httpx.Response(
                429,
                json={
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {after}",
                    "parameters": {"retry_after": after},
                },
            )
        self.calls.append((method, args))
        result = self._result(method, args)
        if method == "getUpdates" and not result:
            await asyncio.sleep(0.05)  # a long poll that found nothing: don't spin
        return httpx.Response(200, json={"ok": True, "result": result})

    def _result(self, method: str, args: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            offset = int(args.get("offset") or 0)
            return [u for u in self.updates if u["update_id"] >= offset]
        if method == "sendMessage":
            chat_id = int(args["chat_id"])
            message = {
                "message_id": next(self._message_ids),
                "date": DATE,
                "chat": _chat(chat_id),
                "from": BOT,
                "text": _visible(args["text"]),
            }
            if args.get("reply_markup"):
                message["reply_markup"] = args["reply_markup"]
            if args.get("message_thread_id"):
                message["message_thread_id"] = args["message_thread_id"]
            self.messages[(chat_id, message["message_id"])] = {**message, "_sent": args}
            return message
        if method in ("editMessageText", "editMessageReplyMarkup"):
            held = self.messages[(int(args["chat_id"]), int(args["message_id"]))]
            if "text" in args:
                held["text"] = _visible(args["text"])
            held.pop("reply_markup", None)
            if args.get("reply_markup"):
                held["reply_markup"] = args["reply_markup"]
            return {k: v for k, v in held.items() if k != "_sent"}
        return True  # answerCallbackQuery, setWebhook, deleteWebhook, ...


def _decode(body: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        if key in _STRINGS:
            args[key] = value
        else:
            try:
                args[key] = json.loads(value)
            except ValueError:
                args[key] = value
    return args


def _visible(markup: str) -> str:
    """What Telegram shows for an HTML message: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": "Acme support"}
    return {"id": chat_id, "type": "private", "first_name": "Alice"}


# --- updates ----------------------------------------------------------------------------


def private_text(
    text: str, *, user: dict[str, Any] = ALICE, update_id: int | None = None, message_id: int = 0
) -> dict[str, Any]:
    """A text message from `user` in their private chat with the bot."""
    return _message_update(text, user, _chat(user["id"]), update_id, message_id)


def group_text(
    text: str,
    *,
    user: dict[str, Any] = ALICE,
    reply_to: dict[str, Any] | None = None,
    update_id: int | None = None,
    message_id: int = 0,
) -> dict[str, Any]:
    """A message in the group GROUP_ID; `@aftercare_test_bot` in `text` becomes a mention
    entity, `/cmd` at the start a bot_command; `reply_to` is a message it replies to."""
    update = _message_update(text, user, _chat(GROUP_ID), update_id, message_id)
    if reply_to is not None:
        update["message"]["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "_sent"}
    return update


def callback(
    message: dict[str, Any],
    index: int = 0,
    *,
    user: dict[str, Any] = ALICE,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A click on button `index` (rows top to bottom) of a message the bot sent."""
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    number = update_id if update_id is not None else next(_ids) + 10_000
    return {
        "update_id": number,
        "callback_query": {
            "id": f"cq{number}",
            "from": user,
            "chat_instance": "ci1",
            "data": buttons[index]["callback_data"],
            "message": {k: v for k, v in message.items() if k != "_sent"},
        },
    }


def _message_update(
    text: str,
    user: dict[str, Any],
    chat: dict[str, Any],
    update_id: int | None,
    message_id: int,
) -> dict[str, Any]:
    number = update_id if update_id is not None else next(_ids)
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
    mention = f"@{BOT['username']}"
    if mention in text and not (command and mention in command.group(0)):
        entities.append({"type": "mention", "offset": text.index(mention), "length": len(mention)})
    message: dict[str, Any] = {
        "message_id": message_id or number + 100,
        "date": DATE,
        "chat": chat,
        "from": user,
        "text": text,
    }
    if entities:
        message["entities"] = entities
    return {"update_id": number, "message": message}


# --- the adapter --------------------------------------------------------------------------


def telegram_adapter(app: App, api: FakeBotApi, *, secret: str | None = SECRET) -> TelegramAdapter:
    """The real TelegramAdapter on `app`, talking to `api`; network retries without waiting."""
    app.settings.telegram_token = SecretStr(TOKEN)
    app.settings.telegram_webhook_secret = SecretStr(secret) if secret is not None else None
    return TelegramAdapter(app, transport=api.transport, retry_delays=(0.0, 0.0))


async def feed(adapter: TelegramAdapter, update: dict[str, Any]) -> None:
    """Process one update as the server does after recording it, and deliver the answers."""
    await adapter.handle(update)
