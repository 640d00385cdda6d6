"""The Telegram ChannelAdapter: a PTB Application fed by long polling or by POST /telegram/webhook."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Sequence

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from adapters.telegram import translate
from adapters.telegram.callbacks import CallbackStore
from adapters.telegram.markup import chosen, length
from adapters.telegram.request import RetryingRequest
from adapters.telegram.sender import TelegramSender
from adapters.telegram.translate import BotIdentity
from bot.app import App
from bot.errors import AftercareError, ConfigError
from bot.messages import Address, Channel, IncomingMessage
from bot.protocols import Sender

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ALLOWED_UPDATES = ("message", "callback_query")
# The command menu Telegram shows next to the text box, per language (the core's commands).
COMMANDS = {
    "en": (
        ("help", "What I can do"),
        ("ticket", "Report a problem or request"),
        ("mytickets", "Your organisation's open tickets"),
        ("status", "Check a ticket: /status ACME-42"),
        ("human", "Talk to a person"),
        ("project", "Your project: acceptance, warranty, SLA"),
        ("handover", "Confirm the handover checklist"),
        ("suggest", "Suggest an improvement"),
        ("ask", "Ask a question (in groups)"),
    ),
    "zh": (
        ("help", "查看可用命令"),
        ("ticket", "报告问题或提交请求"),
        ("mytickets", "本单位未关闭的工单"),
        ("status", "查询工单：/status ACME-42"),
        ("human", "转人工"),
        ("project", "项目概况：验收、质保、服务级别"),
        ("handover", "确认交接清单"),
        ("suggest", "提出改进建议"),
        ("ask", "提问（群组中使用）"),
    ),
}
AnyContext = ContextTypes.DEFAULT_TYPE


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
        self.application = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(base_url)
            .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
            .request(
                RetryingRequest(retry_delays, connection_pool_size=16, httpx_kwargs=httpx_kwargs)
            )
            .get_updates_request(
                RetryingRequest(retry_delays, read_timeout=40.0, httpx_kwargs=httpx_kwargs)
            )
            .rate_limiter(AIORateLimiter(max_retries=3))
            .build()
        )
        self._callbacks = CallbackStore(app.db, app.clock)
        self._sender = TelegramSender(self.application.bot, self._callbacks)
        self._polling = False
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_message))
        self.application.add_handler(CallbackQueryHandler(self._on_callback))
        self.application.add_error_handler(self._on_error)

    @property
    def sender(self) -> Sender:
        return self._sender

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
        await self.application.start()
        await self._set_commands()
        if embedded and self.application.updater is not None:
            # start_polling deletes a webhook first; Telegram allows one or the other.
            await self.application.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))
            self._polling = True

    async def stop(self) -> None:
        if self._polling and self.application.updater is not None:
            await self.application.updater.stop()
            self._polling = False
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _set_commands(self) -> None:
        bot = self.application.bot
        try:
            await bot.set_my_commands(COMMANDS["en"])
            await bot.set_my_commands(COMMANDS["zh"], language_code="zh")
        except TelegramError as exc:  # a menu is a nicety; never a reason not to start
            log.warning("telegram: command menu not set", extra={"error": str(exc)})

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

    async def _webhook(self, request: Request) -> Response:
        # The secret is checked before the body is even read.
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if self._secret is None or not hmac.compare_digest(given, self._secret.encode()):
            return Response(status_code=403)
        try:
            data = await request.json()
        except ValueError:
            return Response(status_code=400)
        # Only an object with an integer update_id is an Update; anything else would reach PTB's
        # parser as the wrong type. Past that, a malformed field is still the sender's fault.
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return Response(status_code=400)
        try:
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        # Handled before the 200: if this process dies mid-way Telegram delivers the update
        # again, and the recorded message id makes the retry safe.
        await self.application.process_update(update)
        return Response(status_code=200)

    async def _on_message(self, update: Update, _context: AnyContext) -> None:
        message = update.message
        if message is None:
            return
        if message.migrate_to_chat_id or message.migrate_from_chat_id:
            await self._moved(message)
            return
        incoming = translate.from_message(message, self.bot_identity, self._app.clock.now())
        if incoming is not None:
            await self._answer(incoming, reply_to=message.message_id if incoming.group else None)

    async def _moved(self, message: Message) -> None:
        """A group upgraded to a supergroup changes its id; its link to a client follows it.
        Telegram tells both chats, so the second notice finds nothing left to move."""
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        else:
            old, new = message.migrate_from_chat_id or 0, message.chat.id
        if await self._app.directory.move_chat(Channel.TELEGRAM, "", str(old), str(new)):
            log.info("telegram: linked group moved to its supergroup id")

    async def _on_callback(self, update: Update, _context: AnyContext) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        await query.answer()  # stops the button's spinner, whatever happens next
        original = query.message if isinstance(query.message, Message) else None
        label = _label_of(original, query.data)
        payload = await self._callbacks.decode(query.data)
        incoming = translate.from_callback(query, payload, label, self._app.clock.now())
        if incoming is None:
            return
        if original is not None:
            await self._mark_chosen(original, label, query.from_user.first_name)
        await self._answer(incoming)

    async def _mark_chosen(self, original: Message, label: str, who: str) -> None:
        """Replace the keyboard with "✓ who chose label", so nobody answers twice."""
        text = original.text_html if original.text else ""
        edited = chosen(text, length(original.text or ""), label, who) if text else None
        try:
            if edited is None:
                await original.edit_reply_markup(reply_markup=None)
            else:
                await original.edit_text(edited, parse_mode=ParseMode.HTML, reply_markup=None)
        except BadRequest as exc:
            # "message is not modified": a redelivered click; the first one already edited it.
            log.info("telegram: clicked message not edited", extra={"error": str(exc)})

    async def _answer(self, message: IncomingMessage, reply_to: int | None = None) -> None:
        for index, reply in enumerate(await self._app.engine.handle(message)):
            thread = reply.thread_id or message.thread_id
            try:
                await self._sender.post(message.chat_id, reply, thread_id=thread, reply_to=reply_to)
            except (NetworkError, RetryAfter) as exc:
                # The turn is recorded, so a redelivery would not answer again: hand the reply
                # to the outbox, which retries with backoff.
                log.warning("telegram: reply queued after a failed send", extra={"error": str(exc)})
                address = Address(Channel.TELEGRAM, message.workspace_id, message.chat_id, thread)
                key = f"telegram-reply:{message.platform_message_id}:{index}"
                await self._app.outbox.enqueue(address, reply, key=key)

    async def _on_error(self, update: object, context: AnyContext) -> None:
        error = context.error
        kind = "network" if isinstance(error, TelegramError) else "handler"
        log.error(
            "telegram: %s error handling an update",
            kind,
            exc_info=(type(error), error, error.__traceback__) if error is not None else None,
            extra={"update_id": getattr(update, "update_id", None)},
        )


def _label_of(message: Message | None, data: str) -> str:
    """The clicked button's text, read back from the message's own keyboard."""
    markup = message.reply_markup if message is not None else None
    if markup is not None:
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == data:
                    return button.text
    return ""
