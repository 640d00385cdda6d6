"""The Telegram ChannelAdapter: updates recorded from POST /telegram/webhook (or long polling)
before they are acknowledged, then processed from the record; answers go through the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import CallbackQuery, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application
from telegram.warnings import PTBUserWarning

from adapters.http.webhooks import json_object, refuse
from adapters.telegram import translate
from adapters.telegram.callbacks import CallbackStore
from adapters.telegram.markup import chosen, length
from adapters.telegram.request import RetryingRequest
from adapters.telegram.sender import TelegramSender
from adapters.telegram.translate import BotIdentity
from adapters.telegram.updates import parse_update, update_chat_key, update_key
from bot.app import App
from bot.core.errors import AftercareError, ConfigError, RateLimitedError
from bot.core.feature import Feature, menu
from bot.core.i18n import Lang
from bot.core.intake import Event
from bot.core.messages import Address, Channel, IncomingMessage, Reply
from bot.core.protocols import Sender

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ALLOWED_UPDATES = ("message", "callback_query")
POLL_SECONDS = 30
# The adapter's own command (translated to a question; see translate.py), after the features'.
ASK = {"en": ("ask", "Ask a question (in groups)"), "zh": ("ask", "提问（群组中使用）")}


def command_menu(features: Sequence[Feature], lang: Lang) -> list[tuple[str, str]]:
    """The command menu Telegram shows next to the text box: the features' listed commands."""
    return [*menu(features, lang), ASK[lang]]


class TelegramAdapter:
    name = "telegram"

    def __init__(
        self,
        app: App,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_delays: Sequence[float] = (0.5, 2.0),
    ) -> None:
        """`transport` replaces the network (tests pass a fake Bot API as httpx.MockTransport)."""
        settings = app.settings
        if settings.telegram_token is None:
            raise AftercareError("Telegram needs AFTERCARE_TELEGRAM_TOKEN")
        self._app = app
        self._secret = (
            settings.telegram_webhook_secret.get_secret_value()
            if settings.telegram_webhook_secret
            else None
        )
        httpx_kwargs = {"transport": transport} if transport is not None else None
        base_url = settings.telegram_api_url.rstrip("/")
        token = settings.telegram_token.get_secret_value()
        # No Updater: long polling is ours (below), so an update is recorded before the next
        # getUpdates confirms it to Telegram. The rate limiter keeps within flood limits and
        # gives a 429 back at once (max_retries=0): the outbox waits out Retry-After.
        self.application = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
            .request(
                RetryingRequest(retry_delays, connection_pool_size=16, httpx_kwargs=httpx_kwargs)
            )
            .get_updates_request(
                RetryingRequest(
                    retry_delays, read_timeout=POLL_SECONDS + 10.0, httpx_kwargs=httpx_kwargs
                )
            )
            .rate_limiter(AIORateLimiter(max_retries=0))
            .updater(None)
            .build()
        )
        self._callbacks = CallbackStore(app.db, app.clock, token)
        self._sender = TelegramSender(self.application.bot, self._callbacks)
        self._outbox_sender = _RateLimits(self._sender)
        self._poller: asyncio.Task[None] | None = None
        self._started = False

    @property
    def sender(self) -> Sender:
        return self._outbox_sender

    @property
    def bot_identity(self) -> BotIdentity:
        bot = self.application.bot
        return BotIdentity(bot.id, bot.username)

    def http_routes(self) -> list[BaseRoute]:
        return [Route("/telegram/webhook", self._webhook, methods=["POST"])]

    async def start(self, embedded: bool) -> None:
        if not embedded and self._secret is None:
            raise ConfigError(
                "the Telegram webhook needs AFTERCARE_TELEGRAM_WEBHOOK_SECRET "
                "(or use `aftercare run` for long polling)"
            )
        await self.application.initialize()  # getMe: the bot's id and @username
        self._started = True
        await self._set_commands()
        if embedded:
            self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        if self._started:
            await self.application.shutdown()
            self._started = False

    async def _set_commands(self) -> None:
        bot = self.application.bot
        try:
            features = self._app.features
            await bot.set_my_commands(command_menu(features, "en"))
            await bot.set_my_commands(command_menu(features, "zh"), language_code="zh")
        except TelegramError as exc:  # a menu is a nicety; never a reason not to start
            log.warning("telegram: command menu not set", extra={"error": str(exc)[:200]})

    async def set_webhook(self, url: str) -> None:
        """Point Telegram at `url` with the secret it must send back on every request."""
        if self._secret is None:
            raise ConfigError("set AFTERCARE_TELEGRAM_WEBHOOK_SECRET before setting the webhook")
        if not _SECRET_CHARS.match(self._secret):
            raise ConfigError(
                "AFTERCARE_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ "
                "and - (Telegram's rule); e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        async with self.application.bot as bot:
            await bot.set_webhook(
                url, secret_token=self._secret, allowed_updates=list(ALLOWED_UPDATES)
            )

    # --- intake: record, then acknowledge -------------------------------------------------

    async def _webhook(self, request: Request) -> Response:
        # The secret is checked before the body is even read.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if self._secret is None or not hmac.compare_digest(given, self._secret.encode()):
            return self._refuse(403, "bad secret")
        data = _json_object(await request.body())
        if data is None or parse_update(data, self.application.bot) is None:
            return self._refuse(400, "not an update")
        try:
            await self.record(data)
        except Exception as exc:
            # Not recorded: a non-2xx answer makes Telegram deliver the update again.
            log.warning("telegram: update not recorded", extra={"error": type(exc).__name__})
            return self._refuse(503, "cannot record")
        return Response(status_code=200)

    async def record(self, data: dict[str, Any]) -> bool:
        """Store one update for processing; False when it was recorded before."""
        return await self._app.intake.record(
            self.name, update_key(data), update_chat_key(data), data
        )

    def _refuse(self, status: int, reason: str) -> Response:
        return refuse(self._app.metrics, self.name, status, reason)

    async def _poll(self) -> None:
        """Long polling that never confirms an update (the next offset) before recording it."""
        bot = self.application.bot
        await bot.delete_webhook()
        offset: int | None = None
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", PTBUserWarning)  # "use Bot.get_updates"
                    updates = await bot.do_api_request(
                        "getUpdates",
                        api_kwargs={
                            "offset": offset,
                            "timeout": POLL_SECONDS,
                            "allowed_updates": list(ALLOWED_UPDATES),
                        },
                        read_timeout=POLL_SECONDS + 10.0,
                    )
                for data in updates if isinstance(updates, list) else []:
                    if isinstance(data, dict) and type(data.get("update_id")) is int:
                        await self.record(data)
                        offset = max(offset or 0, data["update_id"] + 1)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("telegram: polling failed", extra={"error": type(exc).__name__})
                await asyncio.sleep(2.0)

    # --- processing: a recorded update ----------------------------------------------------

    async def process(self, event: Event) -> None:
        update = parse_update(event.body, self.application.bot)
        if update is None:
            log.warning("telegram: update not understood, dropped", extra={"event": event.id})
            return
        if update.message is not None:
            await self._on_message(update.message, event.id)
        elif update.callback_query is not None:
            await self._on_callback(update.callback_query, event.id)

    async def handle(self, data: dict[str, Any]) -> None:
        """Process one update without recording it first, then deliver what it queued for
        Telegram (tests and tools; the server records first and delivers in the background)."""
        await self.process(Event(0, self.name, update_key(data), data, 1))
        await self._app.outbox.deliver({self.name: self._outbox_sender})

    async def _on_message(self, message: Message, intake_id: int) -> None:
        if message.migrate_to_chat_id or message.migrate_from_chat_id:
            await self._moved(message)
            return
        incoming = translate.from_message(message, self.bot_identity, self._app.clock.now())
        if incoming is not None:
            reply_to = message.message_id if incoming.group else None
            await self._answer(incoming, intake_id, reply_to)

    async def _moved(self, message: Message) -> None:
        """A group upgraded to a supergroup changes its id; its link to a client follows it.
        Telegram tells both chats, so the second notice finds nothing left to move."""
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        else:
            old, new = message.migrate_from_chat_id or 0, message.chat.id
        if await self._app.directory.move_chat(Channel.TELEGRAM, "", str(old), str(new)):
            log.info("telegram: linked group moved to its supergroup id")

    async def _on_callback(self, query: CallbackQuery, intake_id: int) -> None:
        if query.data is None:
            return
        with contextlib.suppress(TelegramError):  # stops the spinner; may be too old by now
            await query.answer()
        original = query.message if isinstance(query.message, Message) else None
        chat = query.message.chat.id if query.message is not None else None
        if chat is None:
            return  # a button on an inline-mode message: not ours
        payload = await self._callbacks.decode(
            query.data, str(chat), offered=_offered(original, query.data)
        )
        if payload is None:
            log.warning(
                "telegram: click on a button not offered in this chat", extra={"chat": chat}
            )
            return
        label = _label_of(original, query.data)
        incoming = translate.from_callback(query, payload, label, self._app.clock.now())
        if incoming is None:
            return
        if original is not None:
            await self._mark_chosen(original, label, query.from_user.first_name)
        await self._answer(incoming, intake_id, None)

    async def _mark_chosen(self, original: Message, label: str, who: str) -> None:
        """Replace the keyboard with "✓ who chose label", so nobody answers twice."""
        text = original.text_html if original.text else ""
        edited = chosen(text, length(original.text or ""), label, who) if text else None
        try:
            if edited is None:
                await original.edit_reply_markup(reply_markup=None)
            else:
                await original.edit_text(edited, parse_mode=ParseMode.HTML, reply_markup=None)
        except (BadRequest, RetryAfter) as exc:
            # "message is not modified": a redelivered click; the first one already edited it.
            log.info("telegram: clicked message not edited", extra={"error": str(exc)[:200]})

    async def _answer(self, message: IncomingMessage, intake_id: int, reply_to: int | None) -> None:
        if intake_id:
            message = replace(message, intake_id=intake_id)
        meta = {"reply_to": str(reply_to)} if reply_to is not None else None
        await self._app.engine.handle(message, deliver_to=message.address, reply_meta=meta)


class _RateLimits:
    """The outbox's Sender for Telegram: a 429 becomes RateLimitedError with its retry_after."""

    def __init__(self, sender: TelegramSender) -> None:
        self._sender = sender

    async def send(self, address: Address, reply: Reply) -> str | None:
        try:
            return await self._sender.send(address, reply)
        except RetryAfter as exc:
            after = exc.retry_after
            seconds = after if isinstance(after, int | float) else after.total_seconds()
            raise RateLimitedError(float(seconds), "Telegram") from None


def _json_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None: bad UTF-8, bad JSON, too deep, not an object."""
    try:
        return json_object(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _offered(message: Message | None, data: str) -> bool:
    """Whether `data` is on the clicked message's keyboard as Telegram holds it."""
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return False
    return any(b.callback_data == data for row in markup.inline_keyboard for b in row)


def _label_of(message: Message | None, data: str) -> str:
    """The clicked button's text, read back from the message's own keyboard."""
    markup = message.reply_markup if message is not None else None
    if markup is not None:
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == data:
                    return button.text
    return ""
