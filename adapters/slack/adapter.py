"""The Slack ChannelAdapter: events recorded at POST /slack/events (or over Socket Mode) before
the ack, then processed from the record through the Bolt app; answers go through the outbox."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.http.webhooks import refuse
from adapters.slack import translate
from adapters.slack.blocks import chosen
from adapters.slack.keys import chat_key, event_key, parse_body
from adapters.slack.sender import SlackSender, thread_key_of
from adapters.slack.signature import rejection
from bot.app import App
from bot.core.errors import AftercareError, RateLimitedError
from bot.core.intake import Event
from bot.core.messages import Address, Channel, IncomingMessage, Reply
from bot.core.protocols import Sender
from bot.features.escalation.desk import conversation_of
from bot.storage.db import is_transient

log = logging.getLogger(__name__)

_INTAKE = "aftercare_intake"  # Bolt context key: the recorded event being processed
_EVENT_TYPES = frozenset({"message", "app_mention"})


class _Refused(Exception):
    """A request that is not for us or not well-formed; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackAdapter:
    name = "slack"

    def __init__(self, app: App) -> None:
        settings = app.settings
        if settings.slack_bot_token is None:
            raise AftercareError("Slack needs AFTERCARE_SLACK_BOT_TOKEN")
        self._app = app
        self._app_token = settings.slack_app_token
        self._secret = (
            settings.slack_signing_secret.get_secret_value().encode()
            if settings.slack_signing_secret
            else None
        )
        base_url = (
            settings.slack_api_url
            if settings.slack_api_url.endswith("/")
            else settings.slack_api_url + "/"
        )
        token = settings.slack_bot_token.get_secret_value()
        # Calls made while processing an event (users.info, chat.update) wait out a 429 once;
        # the outbox's own client does not: it hands the wait back to the outbox.
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url,
            timeout=15,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
        )
        push_client = AsyncWebClient(token=token, base_url=base_url, timeout=15)
        # Requests are verified at intake (signature.py); Bolt processes recorded events as
        # Socket Mode bodies, listeners running to completion (process_before_response), so
        # a failure is known and the event retried.
        self.bolt = AsyncApp(
            client=self.client,
            request_verification_enabled=False,
            process_before_response=True,
        )
        self._sender = _RateLimits(
            SlackSender(push_client, app.db, app.clock, settings.slack_staff_channel)
        )
        self._socket: SocketModeClient | None = None
        self._staff_channel = settings.slack_staff_channel
        self._names: dict[str, str] = {}
        self.bolt.event("message")(self._on_event)
        self.bolt.event("app_mention")(self._on_event)
        self.bolt.action(re.compile("^aftercare_"))(self._on_action)
        self.bolt.command("/aftercare")(self._on_command)
        self.bolt.error(self._on_error)

    @property
    def sender(self) -> Sender:
        return self._sender

    def http_routes(self) -> list[BaseRoute]:
        return [Route("/slack/events", self._http_events, methods=["POST"])]

    async def start(self, embedded: bool) -> None:
        if not embedded:
            if self._secret is None:
                raise AftercareError(
                    "Slack over HTTP needs AFTERCARE_SLACK_SIGNING_SECRET "
                    "(or use `aftercare run` with AFTERCARE_SLACK_APP_TOKEN for Socket Mode)"
                )
            return
        if self._app_token is None:
            raise AftercareError("Slack Socket Mode needs AFTERCARE_SLACK_APP_TOKEN (xapp-...)")
        self._socket = SocketModeClient(
            app_token=self._app_token.get_secret_value(), web_client=self.client
        )
        self._socket.socket_mode_request_listeners.append(self._on_socket_request)
        await self._socket.connect()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()  # type: ignore[no-untyped-call]
            self._socket = None

    # --- intake: record, then acknowledge -------------------------------------------------

    async def _http_events(self, request: Request) -> Response:
        """Signature first, then the body; recorded before the 200 (503 makes Slack retry)."""
        raw = await request.body()
        reason = (
            "no signing secret"
            if self._secret is None
            else rejection(
                self._secret,
                raw,
                request.headers.get("X-Slack-Request-Timestamp", ""),
                request.headers.get("X-Slack-Signature", ""),
            )
        )
        if reason is not None:
            return self._refuse(401, reason)
        body = parse_body(raw, request.headers.get("Content-Type", ""))
        if body is None:
            return self._refuse(400, "malformed body")
        try:
            answer = await self._receive(body)
        except _Refused as exc:
            return self._refuse(exc.status, exc.reason)
        if answer is not None:
            return JSONResponse(answer)
        return Response(status_code=200)

    async def _on_socket_request(
        self, client: AsyncBaseSocketModeClient, request: SocketModeRequest
    ) -> None:
        """Socket Mode: the same intake; the envelope is acknowledged only once recorded (an
        unacknowledged envelope is delivered again)."""
        body = request.payload if isinstance(request.payload, dict) else None
        if body is None:
            return
        try:
            answer = await self._receive(body)
        except _Refused as exc:
            if exc.status >= 500:
                return
            answer = None
        await client.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload=answer)
        )

    async def _receive(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Record what the bot handles; returns a JSON answer for Slack when one is due."""
        kind = body.get("type")
        if kind == "url_verification":
            return {"challenge": str(body.get("challenge", ""))[:200]}
        if body.get("ssl_check"):
            return None
        if not _wanted(body):
            return None
        key = event_key(body)
        if key is None:
            raise _Refused(400, "no event id")
        try:
            await self._app.intake.record(self.name, f"slack:{key}", chat_key(body), body)
        except Exception as exc:
            log.warning("slack: event not recorded", extra={"error": type(exc).__name__})
            raise _Refused(503, "cannot record") from None
        return None

    def _refuse(self, status: int, reason: str) -> Response:
        return refuse(self._app.metrics, self.name, status, reason)

    # --- processing: a recorded event through Bolt ----------------------------------------

    async def process(self, event: Event) -> None:
        request = AsyncBoltRequest(body=event.body, mode="socket_mode", context={_INTAKE: event.id})
        response = await self.bolt.async_dispatch(request)
        if response.status >= 500:
            raise RuntimeError(f"slack listener failed (status {response.status})")

    async def _on_error(self, error: Exception) -> None:
        """A listener failed: the event is retried (Bolt answers 500 to `process`). A database
        that went away is expected there, and gets a line rather than a traceback."""
        if is_transient(error):
            log.warning(
                "slack: event to retry, database unavailable", extra={"error": type(error).__name__}
            )
        else:
            log.error("slack: listener failed", exc_info=error)

    async def _on_event(self, body: dict[str, Any], context: Any) -> None:
        event = body.get("event", {})
        intake_id = context.get(_INTAKE)
        in_staff = bool(self._staff_channel) and event.get("channel") == self._staff_channel
        # Staff talk among themselves in the staff channel: only replies in a conversation's
        # thread matter (relayed to the client). A top-level mention still asks the bot.
        if in_staff and (event.get("type") == "message" or event.get("thread_ts")):
            await self._staff_message(body, context.bot_user_id)
            return
        message = translate.from_event(body, context.bot_user_id, self._app.clock.now())
        if message is not None:
            await self._answer(message, intake_id)

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], context: Any) -> None:
        await ack()
        message = translate.from_command(command, self._app.clock.now())
        await self._answer(message, context.get(_INTAKE))

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], context: Any) -> None:
        await ack()
        message = translate.from_action(body, self._app.clock.now())
        payload = message.button_payload or ""
        if not _offered(body, payload):
            # Only a button on the message it was clicked on counts; Slack holds that copy.
            log.warning("slack: click on a button the message does not offer")
            return
        original = body.get("message")
        if original:
            await self._mark_chosen(message, original)
        if payload.partition(":")[0] in self._app.staff_actions:
            await self._staff_click(message, payload, context.get(_INTAKE))
        else:
            await self._answer(message, context.get(_INTAKE))

    async def _mark_chosen(self, message: IncomingMessage, original: dict[str, Any]) -> None:
        """Replace the buttons with who chose what; a nicety, so a failure is only logged."""
        try:
            await self.client.chat_update(
                channel=message.chat_id,
                ts=str(original["ts"]),
                text=str(original.get("text") or ""),
                blocks=chosen(list(original.get("blocks", [])), message.text, message.sender_id),
            )
        except (SlackApiError, KeyError, OSError) as exc:
            log.info("slack: clicked message not updated", extra={"error": type(exc).__name__})

    async def _answer(self, message: IncomingMessage, intake_id: int | None) -> None:
        message = _with_intake(message, intake_id)
        await self._app.engine.handle(message, deliver_to=message.address)

    # --- the staff side --------------------------------------------------------------------

    async def _is_staff(self, message: IncomingMessage) -> bool:
        """Staff act only in the staff channel, and never from an account linked to a client."""
        if not self._staff_channel or message.chat_id != self._staff_channel:
            return False
        return not await self._app.directory.speaks_for_client(
            Channel.SLACK, message.workspace_id, message.sender_id
        )

    async def _staff_message(self, body: dict[str, Any], bot_user_id: str | None) -> None:
        """A staff reply in a conversation's thread → the core, which relays it to the client
        once per Slack message (retries carry the same channel and ts)."""
        reply = translate.from_staff_thread(body, bot_user_id)
        if reply is None:
            return
        event = body.get("event", {})
        team = str(event.get("user_team") or event.get("team") or body.get("team_id") or "")
        if await self._app.directory.speaks_for_client(Channel.SLACK, team, reply.user):
            log.warning("slack: a client account wrote in the staff channel; not relayed")
            return
        key = await thread_key_of(self._app.db, reply.channel, reply.thread_ts)
        conversation_id = conversation_of(key) if key else None
        if conversation_id is None:
            return  # a ticket thread or a staff discussion: nothing to relay
        name = await self._display_name(reply.user)
        await self._app.escalation.relay.staff_reply(
            conversation_id, reply.text, name, key=reply.key, files=reply.files
        )

    async def _staff_click(
        self, message: IncomingMessage, payload: str, intake: int | None
    ) -> None:
        """A staff-channel button (a ticket's `staff:...`, a conversation's `handoff:...`): the
        feature that declared its prefix acts as the clicking staff member. Refused anywhere
        but the staff channel and to any account linked to a client."""
        if not await self._is_staff(message):
            log.warning(
                "slack: staff action refused outside the staff channel or from a client",
                extra={"action": ":".join(payload.split(":", 2)[:2])},
            )
            return
        actor = await self._display_name(message.sender_id, message.sender_name)
        prefix, _, action = payload.partition(":")
        try:
            text = await self._app.staff_actions[prefix](action, actor)
        except AftercareError as exc:
            text = f"{actor}: {exc}"
        if text is None:
            return  # the feature said what happened in the thread itself
        key = f"slack-staff:{intake}" if intake is not None else None
        await self._app.outbox.enqueue(message.address, Reply(text), key=key)

    async def _display_name(self, user_id: str, fallback: str = "") -> str:
        """The name staff sign with: their staff account's, when one is linked to this Slack
        user (the console signs with the same), else Slack's display name, real name, handle."""
        linked = await self._app.staff.name_for_slack(user_id)
        if linked:
            return linked
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
                log.warning("users.info failed", extra={"user": user_id[:32]})
                return fallback or user_id
            self._names[user_id] = str(name or fallback or user_id)[:200]
        return self._names[user_id]


class _RateLimits:
    """The outbox's Sender for Slack: a 429 becomes RateLimitedError with Slack's Retry-After."""

    def __init__(self, sender: SlackSender) -> None:
        self._sender = sender

    async def send(self, address: Address, reply: Reply) -> str | None:
        try:
            return await self._sender.send(address, reply)
        except SlackApiError as exc:
            if exc.response is not None and exc.response.status_code == 429:
                after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                    "retry-after"
                )
                raise RateLimitedError(_seconds(after, 30.0), "Slack") from None
            raise


def _seconds(value: object, default: float) -> float:
    try:
        return max(0.0, min(3600.0, float(str(value))))
    except ValueError:
        return default


def _wanted(body: dict[str, Any]) -> bool:
    """What the bot handles: messages and mentions, its buttons, its slash command."""
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        return isinstance(event, dict) and event.get("type") in _EVENT_TYPES
    if kind == "block_actions":
        return True
    return body.get("command") == "/aftercare"


def _offered(body: dict[str, Any], payload: str) -> bool:
    """Whether the clicked value is one of the buttons of the message clicked on."""
    message = body.get("message")
    if not isinstance(message, dict):
        return False
    for block in message.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "actions":
            for element in block.get("elements") or []:
                if isinstance(element, dict) and element.get("value") == payload:
                    return True
    return False


def _with_intake(message: IncomingMessage, intake_id: int | None) -> IncomingMessage:
    return message if intake_id is None else replace(message, intake_id=int(intake_id))
