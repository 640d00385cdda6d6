"""Slack events, clicks and slash commands → IncomingMessage (one platform id each).

Slack's markup (links, mentions, escapes) becomes plain neutral text here, before the core
sees it; the way back out is escaping (blocks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.slack.blocks import unescape
from adapters.text import link_text
from bot.core.messages import Channel, IncomingMessage

# Subtypes that are still a person writing; every other subtype (bot_message, edits, joins) is noise.
# A tuple, not a set: a payload's subtype may be any JSON value, lists included.
_PERSON_SUBTYPES = (None, "file_share", "thread_broadcast")
_MENTION = re.compile(r"<@[^<>|]*(?:\|[^<>]*)?>")
_TOKEN = re.compile(r"<([^<>]*)>")
_BROADCASTS = {"here", "channel", "everyone"}


def to_plain(text: str) -> str:
    """Slack mrkdwn as a person reads it: `<https://x|label>` is `label (https://x)`,
    `<@U1|ann>` is `@ann`, `<#C1|general>` is `#general`, `<!here>` is the text `@here`,
    and `&lt; &gt; &amp;` are the characters again."""
    return unescape(_TOKEN.sub(_token, text))


def _token(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        return "@" + (label.removeprefix("@") or target[1:])
    if target.startswith("#"):
        return "#" + (label.removeprefix("#") or target[1:])
    if target.startswith("!"):
        command, _, argument = target[1:].partition("^")
        if command in _BROADCASTS:
            return "@" + command
        if command == "subteam":
            return label or "@" + argument
        return label or ("" if command == "date" else command)
    return link_text(label, target)


def _mention_of(bot_user_id: str) -> re.Pattern[str]:
    return re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^<>]*)?>")


def _obj(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (payload fields can be anything)."""
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    """A JSON string or number as text; anything else (null, objects, lists) as ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _shared(channel: str) -> bool:
    """Channels (C…) and private/multi-person chats (G…) are shared; DMs (D…) are not."""
    return not channel.startswith("D")


def _team(event: dict[str, Any], body: dict[str, Any]) -> str:
    # Slack Connect: the sender's own team, not the workspace that installed the app.
    return _str(event.get("user_team")) or _str(event.get("team")) or _str(body.get("team_id"))


def from_event(
    body: dict[str, Any], bot_user_id: str | None, now: datetime
) -> IncomingMessage | None:
    """A DM, a mention, or a reply in a channel thread the bot started; None for anything else.

    A DM written in a thread keeps the thread, so the answer goes there too.
    """
    event = _obj(body.get("event"))
    if event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    user = _str(event.get("user"))
    if not user or user == bot_user_id:
        return None
    raw = _str(event.get("text"))
    kind = event.get("type")
    is_dm = event.get("channel_type") == "im"
    thread = _str(event.get("thread_ts"))
    if kind == "app_mention":
        if is_dm:
            return None  # the DM's own message event answers it
        thread = thread or _str(event.get("ts"))
        raw = (_mention_of(bot_user_id) if bot_user_id else _MENTION).sub("", raw)
    elif kind == "message" and not is_dm:
        mentioned = bool(bot_user_id) and _mention_of(str(bot_user_id)).search(raw) is not None
        if not thread or event.get("parent_user_id") != bot_user_id or mentioned:
            return None
    elif kind != "message":
        return None
    channel = _str(event.get("channel"))
    return IncomingMessage(
        channel=Channel.SLACK,
        workspace_id=_team(event, body),
        chat_id=channel,
        sender_id=user,
        text=to_plain(raw).strip(),
        received_at=now,
        thread_id=thread,
        group=not is_dm,
        platform_message_id=(_str(body.get("event_id")) or f"{channel}:{_str(event.get('ts'))}"),
    )


def from_action(body: dict[str, Any], now: datetime) -> IncomingMessage:
    """A button click; one per message, so a second click on the same buttons is a duplicate.

    Raises ValueError for a payload without an action (Bolt routes only clicks here).
    """
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise ValueError("a block_actions payload without an action")
    action: dict[str, Any] = actions[0]
    container = _obj(body.get("container"))
    channel = _str(container.get("channel_id")) or _str(_obj(body.get("channel")).get("id"))
    message = _obj(body.get("message"))
    message_ts = (
        _str(container.get("message_ts"))
        or _str(message.get("ts"))
        or _str(action.get("action_ts"))
    )
    user = _obj(body.get("user"))
    return IncomingMessage(
        channel=Channel.SLACK,
        workspace_id=_str(user.get("team_id")) or _str(_obj(body.get("team")).get("id")),
        chat_id=channel,
        sender_id=_str(user.get("id")),
        sender_name=_str(user.get("username")) or _str(user.get("name")),
        text=to_plain(_str(_obj(action.get("text")).get("text"))),
        received_at=now,
        thread_id=_str(message.get("thread_ts")) or _str(container.get("thread_ts")),
        group=_shared(channel),
        button_payload=_str(action.get("value")),
        platform_message_id=f"action:{channel}:{message_ts}",
    )


def from_command(command: dict[str, Any], now: datetime) -> IncomingMessage:
    """`/aftercare status ACME-4` → the core's `/status ACME-4`; a bare `/aftercare` is help."""
    words = to_plain(_str(command.get("text"))).strip()
    channel = _str(command.get("channel_id"))
    return IncomingMessage(
        channel=Channel.SLACK,
        workspace_id=_str(command.get("team_id")),
        chat_id=channel,
        sender_id=_str(command.get("user_id")),
        sender_name=_str(command.get("user_name")),
        text=f"/{words}" if words else "/help",
        received_at=now,
        group=_shared(channel),
        platform_message_id=f"command:{_str(command.get('trigger_id'))}",
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
    event = _obj(body.get("event"))
    if event.get("type") != "message" or event.get("bot_id"):
        return None
    if event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    user = _str(event.get("user"))
    thread, ts = _str(event.get("thread_ts")), _str(event.get("ts"))
    if not user or user == bot_user_id or not thread or thread == ts:
        return None
    attached = event.get("files")
    files = tuple(
        (_str(f.get("name")) or _str(f.get("title")) or "file", url)
        for f in map(_obj, attached if isinstance(attached, list) else [])
        if (
            url := _str(f.get("permalink_public"))
            or _str(f.get("permalink"))
            or _str(f.get("url_private"))
        )
    )
    text = to_plain(_str(event.get("text"))).strip()
    if not text and not files:
        return None
    channel = _str(event.get("channel"))
    return StaffMessage(channel, thread, user, text, files, key=f"slack:{channel}:{ts}")
