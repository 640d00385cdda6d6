"""Slack request bodies at intake: parsed safely, with a stable key and a per-chat key."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl


def parse_body(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """Events come as JSON, clicks as a form with a `payload` JSON field, slash commands as a
    form; None for anything malformed."""
    try:
        text = raw.decode("utf-8")
        if content_type.startswith("application/json"):
            data = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            data = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, KeyError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def event_key(body: dict[str, Any]) -> str | None:
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("type") == "block_actions" and body.get("trigger_id"):
        return f"action:{body['trigger_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    return None


def chat_key(body: dict[str, Any]) -> str:
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    chat = (
        (event or {}).get("channel")
        or (container or {}).get("channel_id")
        or (channel or {}).get("id")
        or body.get("channel_id")
    )
    return f"slack:{chat}" if chat else f"slack:{event_key(body)}"
