"""Slack intake helpers: a request body parsed without surprises, the delivery's own id (the
same on every Slack retry) and the conversation it belongs to, for recording it before the ack.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from adapters.http.webhooks import json_object

_INTERACTIVE = {
    "block_actions",
    "block_suggestion",
    "interactive_message",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
}


def parse_body(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """A Slack request body as a dict, or None when it is not one Slack would send.

    Events arrive as JSON; interactivity as a form with one `payload` field of JSON; slash
    commands as plain form fields (returned as a dict of strings). Bad UTF-8, bad JSON, a
    non-object, or nesting deeper than MAX_DEPTH give None. Never raises.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json":
        return json_object(text)
    if media == "application/x-www-form-urlencoded":
        try:
            fields = parse_qsl(text, keep_blank_values=True, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return None
        form = dict(fields)
        if "payload" in form:
            return json_object(form["payload"])
        return form or None
    return None


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _team(body: dict[str, Any]) -> str:
    team = body.get("team")
    return (
        _str(body.get("team_id"))
        or _str(_obj(team).get("id"))
        or _str(_obj(body.get("user")).get("team_id"))
        or _str(body.get("enterprise_id"))
        or _str(_obj(body.get("enterprise")).get("id"))
    )


def event_key(body: dict[str, Any]) -> str | None:
    """The delivery's platform id, the same when Slack retries it; None when there is none.

    `event:<event_id>` for the Events API; `action:<team>:<trigger_id>` for interactivity
    (`action:<team>:<channel>:<message_ts>:<action_ts>` without a trigger id);
    `command:<trigger_id>` for slash commands.
    """
    kind = body.get("type")
    if kind == "event_callback":
        event_id = _str(body.get("event_id"))
        return f"event:{event_id}" if event_id else None
    if isinstance(kind, str) and kind in _INTERACTIVE:
        trigger = _str(body.get("trigger_id"))
        if trigger:
            return f"action:{_team(body)}:{trigger}"
        container = _obj(body.get("container"))
        actions = body.get("actions")
        first = _obj(actions[0]) if isinstance(actions, list) and actions else {}
        parts = (
            _str(container.get("channel_id")) or _str(_obj(body.get("channel")).get("id")),
            _str(container.get("message_ts")) or _str(_obj(body.get("message")).get("ts")),
            _str(first.get("action_ts")) or _str(body.get("action_ts")),
        )
        return f"action:{_team(body)}:{':'.join(parts)}" if any(parts) else None
    if _str(body.get("command")) and _str(body.get("trigger_id")):
        return f"command:{body['trigger_id']}"
    return None


def chat_key(body: dict[str, Any]) -> str:
    """`slack:<team>:<channel>` for the conversation a delivery belongs to; without a channel,
    the delivery's own key (so it is a conversation of one)."""
    channel = (
        _str(_obj(body.get("event")).get("channel"))
        or _str(_obj(body.get("container")).get("channel_id"))
        or _str(_obj(body.get("channel")).get("id"))
        or _str(body.get("channel_id"))
    )
    if channel:
        return f"slack:{_team(body)}:{channel}"
    return event_key(body) or "slack:unknown"
