"""Slack events, clicks and slash commands → IncomingMessage (one platform id each)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.slack.blocks import unescape
from bot.messages import Channel, IncomingMessage

# Subtypes that are still a person writing; every other subtype (bot_message, edits, joins) is noise.
_PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}
_MENTION = re.compile(r"<@[A-Z0-9]+>")


def _shared(channel: str) -> bool:
    """Channels (C…) and private/multi-person chats (G…) are shared; DMs (D…) are not."""
    return not channel.startswith("D")


def _team(event: dict[str, Any], body: dict[str, Any]) -> str:
    # Slack Connect: the sender's own team, not the workspace that installed the app.
    return str(event.get("user_team") or event.get("team") or body.get("team_id") or "")


def from_event(
    body: dict[str, Any], bot_user_id: str | None, now: datetime
) -> IncomingMessage | None:
    """A DM, a mention, or a reply in a channel thread the bot started; None for anything else."""
    event: dict[str, Any] = body.get("event", {})
    if event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    user = str(event.get("user") or "")
    if not user or user == bot_user_id:
        return None
    text = unescape(str(event.get("text") or ""))
    kind = event.get("type")
    is_dm = event.get("channel_type") == "im"
    thread = str(event.get("thread_ts") or "")
    if kind == "app_mention":
        if is_dm:
            return None  # the DM's own message event answers it
        thread = thread or str(event.get("ts") or "")
        text = _MENTION.sub("", text).strip()
    elif kind == "message" and not is_dm:
        mentioned = bool(bot_user_id) and f"<@{bot_user_id}>" in text
        if not thread or event.get("parent_user_id") != bot_user_id or mentioned:
            return None
    elif kind != "message":
        return None
    return IncomingMessage(
        channel=Channel.SLACK,
        workspace_id=_team(event, body),
        chat_id=str(event.get("channel") or ""),
        sender_id=user,
        text=text,
        received_at=now,
        thread_id="" if is_dm else thread,
        group=not is_dm,
        platform_message_id=str(
            body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        ),
    )


def from_action(body: dict[str, Any], now: datetime) -> IncomingMessage:
    """A button click; one per message, so a second click on the same buttons is a duplicate."""
    action = body["actions"][0]
    container = body.get("container", {})
    channel = str(container.get("channel_id") or body.get("channel", {}).get("id") or "")
    message = body.get("message", {})
    message_ts = str(container.get("message_ts") or message.get("ts") or action.get("action_ts"))
    user = body.get("user", {})
    return IncomingMessage(
        channel=Channel.SLACK,
        workspace_id=str(user.get("team_id") or body.get("team", {}).get("id") or ""),
        chat_id=channel,
        sender_id=str(user.get("id") or ""),
        sender_name=str(user.get("username") or user.get("name") or ""),
        text=str(action.get("text", {}).get("text") or ""),
        received_at=now,
        thread_id=str(message.get("thread_ts") or ""),
        group=_shared(channel),
        button_payload=str(action.get("value") or ""),
        platform_message_id=f"action:{channel}:{message_ts}",
    )


def from_command(command: dict[str, Any], now: datetime) -> IncomingMessage:
    """`/aftercare status ACME-4` → the core's `/status ACME-4`; a bare `/aftercare` is help."""
    words = str(command.get("text") or "").strip()
    return IncomingMessage(
        channel=Channel.SLACK,
        workspace_id=str(command.get("team_id") or ""),
        chat_id=str(command.get("channel_id") or ""),
        sender_id=str(command.get("user_id") or ""),
        sender_name=str(command.get("user_name") or ""),
        text=f"/{words}" if words else "/help",
        received_at=now,
        group=_shared(str(command.get("channel_id") or "")),
        platform_message_id=f"command:{command.get('trigger_id')}",
    )


@dataclass(frozen=True)
class StaffMessage:
    """A person's reply in a thread of the staff channel; `key` is stable across Slack retries."""

    channel: str
    thread_ts: str
    user: str
    text: str
    files: tuple[tuple[str, str], ...]
    key: str


def from_staff_thread(body: dict[str, Any], bot_user_id: str | None) -> StaffMessage | None:
    """A reply in a staff-channel thread (not the thread's first message, not a bot)."""
    event: dict[str, Any] = body.get("event", {})
    if event.get("type") != "message" or event.get("bot_id"):
        return None
    if event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    user = str(event.get("user") or "")
    thread, ts = str(event.get("thread_ts") or ""), str(event.get("ts") or "")
    if not user or user == bot_user_id or not thread or thread == ts:
        return None
    files = tuple(
        (str(f.get("name") or f.get("title") or "file"), str(url))
        for f in event.get("files") or []
        if (url := f.get("permalink_public") or f.get("permalink") or f.get("url_private"))
    )
    text = unescape(str(event.get("text") or "")).strip()
    if not text and not files:
        return None
    channel = str(event.get("channel") or "")
    return StaffMessage(channel, thread, user, text, files, key=f"slack:{channel}:{ts}")
