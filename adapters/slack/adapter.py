"""The Slack ChannelAdapter: a Bolt AsyncApp served at POST /slack/events or over Socket Mode."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.slack import translate
from adapters.slack.blocks import chosen, escape, render
from adapters.slack.sender import SlackSender, thread_key_of
from bot.app import App
from bot.errors import AftercareError, InvalidInputError
from bot.handoff import conversation_of
from bot.messages import IncomingMessage, Reply
from bot.protocols import Sender

log = logging.getLogger(__name__)


class SlackAdapter:
    name = "slack"

    def __init__(self, app: App) -> None:
        settings = app.settings
        if settings.slack_bot_token is None:
            raise AftercareError("Slack needs AFTERCARE_SLACK_BOT_TOKEN")
        self._app = app
        self._app_token = settings.slack_app_token
        base_url = (
            settings.slack_api_url
            if settings.slack_api_url.endswith("/")
            else settings.slack_api_url + "/"
        )
        self.client = AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=base_url,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
        )
        secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        )
        # process_before_response=False: Bolt acks at once and runs the listener afterwards,
        # so the engine's work never delays the 3-second ack.
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=secret,
            request_verification_enabled=secret is not None,
            process_before_response=False,
        )
        self._sender = SlackSender(self.client, app.db, app.clock, settings.slack_staff_channel)
        self._http = AsyncSlackRequestHandler(self.bolt)
        self._socket: AsyncSocketModeHandler | None = None
        self._staff_channel = settings.slack_staff_channel
        self._names: dict[str, str] = {}
        self.bolt.event("message")(self._on_event)
        self.bolt.event("app_mention")(self._on_event)
        self.bolt.action(re.compile("^aftercare_"))(self._on_action)
        self.bolt.command("/aftercare")(self._on_command)

    @property
    def sender(self) -> Sender:
        return self._sender

    def http_routes(self) -> list[BaseRoute]:
        async def events(request: Request) -> Response:
            return await self._http.handle(request)

        return [Route("/slack/events", events, methods=["POST"])]

    async def start(self, embedded: bool) -> None:
        if not embedded:
            return
        if self._app_token is None:
            raise AftercareError("Slack Socket Mode needs AFTERCARE_SLACK_APP_TOKEN (xapp-...)")
        self._socket = AsyncSocketModeHandler(self.bolt, self._app_token.get_secret_value())
        await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None

    async def _on_event(self, body: dict[str, Any], context: Any) -> None:
        event = body.get("event", {})
        in_staff = bool(self._staff_channel) and event.get("channel") == self._staff_channel
        # Staff talk among themselves in the staff channel: only replies in a conversation's
        # thread matter (relayed to the client). A top-level mention still asks the bot.
        if in_staff and (event.get("type") == "message" or event.get("thread_ts")):
            await self._staff_message(body, context.bot_user_id)
            return
        message = translate.from_event(body, context.bot_user_id, self._app.clock.now())
        if message is not None:
            await self._answer(message)

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        await self._answer(translate.from_command(command, self._app.clock.now()))

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        message = translate.from_action(body, self._app.clock.now())
        original = body.get("message")
        if original:
            await self.client.chat_update(
                channel=message.chat_id,
                ts=str(original["ts"]),
                text=str(original.get("text") or message.text),
                blocks=chosen(list(original.get("blocks", [])), message.text, message.sender_id),
            )
        payload = message.button_payload or ""
        if payload.startswith("staff:"):
            await self._staff_action(message, payload)
        elif payload.startswith("handoff:"):
            if message.chat_id == self._staff_channel:
                await self._handoff_action(message, payload)
        else:
            await self._answer(message)

    async def _staff_message(self, body: dict[str, Any], bot_user_id: str | None) -> None:
        """A staff reply in a conversation's thread → the core, which relays it to the client
        once per Slack message (retries carry the same channel and ts)."""
        reply = translate.from_staff_thread(body, bot_user_id)
        if reply is None:
            return
        key = await thread_key_of(self._app.db, reply.channel, reply.thread_ts)
        conversation_id = conversation_of(key) if key else None
        if conversation_id is None:
            return  # a ticket thread or a staff discussion: nothing to relay
        name = await self._display_name(reply.user)
        await self._app.handoff.staff_reply(
            conversation_id, reply.text, name, key=reply.key, files=reply.files
        )

    async def _handoff_action(self, message: IncomingMessage, payload: str) -> None:
        """Take it / hand back / open a ticket / save as FAQ, as the clicking staff member."""
        verb, _, number = payload.partition(":")[2].partition(":")
        handoff = self._app.handoff
        actor = await self._display_name(message.sender_id, message.sender_name)
        try:
            if not number.isdigit():
                raise InvalidInputError(f"bad handoff button {payload!r}")
            target = int(number)
            if verb == "take":
                await handoff.take(target, actor)
            elif verb == "back":
                await handoff.hand_back(target, actor)
            elif verb == "ticket":
                await handoff.open_ticket(target, actor)
            elif verb == "faq":
                await handoff.save_faq(target, actor)
            else:
                raise InvalidInputError(f"unknown handoff action {verb!r}")
        except AftercareError as exc:
            await self.client.chat_postMessage(
                channel=message.chat_id,
                text=escape(f"{actor}: {exc}"),
                thread_ts=message.thread_id or None,
            )

    async def _display_name(self, user_id: str, fallback: str = "") -> str:
        """The name staff sign with: Slack's display name, else real name, else the handle."""
        if user_id not in self._names:
            try:
                response = await self.client.users_info(user=user_id)
                user = response.get("user") or {}
                profile = user.get("profile") or {}
                name = (
                    profile.get("display_name")
                    or profile.get("real_name")
                    or user.get("real_name")
                    or user.get("name")
                )
            except Exception:
                log.warning("users.info failed", extra={"user": user_id})
                return fallback or user_id
            self._names[user_id] = str(name or fallback or user_id)
        return self._names[user_id]

    async def _staff_action(self, message: IncomingMessage, payload: str) -> None:
        _, verb, ref = payload.split(":", 2)
        actor = message.sender_name or message.sender_id
        tickets = self._app.tickets
        try:
            if verb == "ack":
                view = await tickets.acknowledge(ref, actor)
            elif verb == "mine":
                view = await tickets.assign(ref, actor, actor)
            elif verb == "resolve":
                view = await tickets.resolve(ref, actor)
            else:
                raise AftercareError(f"unknown staff action {verb!r}")
            text = f"{ref}: {view.status} by {actor}"
        except AftercareError as exc:
            text = f"{ref}: {exc}"
        await self.client.chat_postMessage(
            channel=message.chat_id, text=escape(text), thread_ts=message.thread_id or None
        )

    async def _answer(self, message: IncomingMessage) -> None:
        for reply in await self._app.engine.handle(message):
            await self._post(message, reply)

    async def _post(self, message: IncomingMessage, reply: Reply) -> None:
        await self.client.chat_postMessage(
            channel=message.chat_id,
            text=reply.text,
            blocks=render(reply),
            thread_ts=reply.thread_id or message.thread_id or None,
        )
