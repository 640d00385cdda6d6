"""Slack intake helpers: bodies parsed without surprises, a delivery's id stable across Slack's
retries, and the conversation it belongs to."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.http.webhooks import MAX_DEPTH
from adapters.slack.keys import chat_key, event_key, parse_body
from tests.support.slack import TEAM, dm, event_body

FORM = "application/x-www-form-urlencoded"
CLICK: dict[str, Any] = {
    "type": "block_actions",
    "team": {"id": TEAM},
    "user": {"id": "U1", "team_id": TEAM},
    "trigger_id": "trig.1",
    "container": {"type": "message", "channel_id": "D1", "message_ts": "7.1"},
    "channel": {"id": "D1"},
    "actions": [{"action_id": "aftercare_0", "value": "x", "action_ts": "7.3"}],
}
COMMAND = {
    "command": "/aftercare",
    "text": "status ACME-4",
    "team_id": TEAM,
    "channel_id": "C7",
    "user_id": "U1",
    "trigger_id": "trig.2",
}


def test_the_three_shapes_slack_sends() -> None:
    event = event_body(dm("hi"), event_id="EvA")
    assert parse_body(event.encode(), "application/json; charset=utf-8") == json.loads(event)
    click = urlencode({"payload": json.dumps(CLICK)}).encode()
    assert parse_body(click, FORM) == CLICK
    assert parse_body(urlencode(COMMAND).encode(), FORM) == COMMAND


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"\xff\xfe{}", "application/json"),
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"a string"', "application/json"),
        (b"{}", "text/plain"),
        (b"payload=%7Bnope", FORM),
        (b"payload=%5B%5D", FORM),
        (b"payload=%FF", FORM),
        (b"", FORM),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), "application/json"),
    ],
)
def test_malformed_bodies_are_none(raw: bytes, content_type: str) -> None:
    assert parse_body(raw, content_type) is None


def test_depth_counts_brackets_not_text() -> None:
    deep_enough = b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH
    assert parse_body(deep_enough, "application/json") is not None
    brackets_in_strings = json.dumps({"text": "[{" * 1000 + '\\"' + "}]" * 1000}).encode()
    assert parse_body(brackets_in_strings, "application/json") is not None


def test_event_keys_are_stable_per_delivery() -> None:
    event = json.loads(event_body(dm("hi"), event_id="EvA"))
    assert event_key(event) == "event:EvA"
    assert event_key(CLICK) == f"action:{TEAM}:trig.1"
    untriggered = {k: v for k, v in CLICK.items() if k != "trigger_id"}
    assert event_key(untriggered) == f"action:{TEAM}:D1:7.1:7.3"
    assert event_key(COMMAND) == "command:trig.2"
    assert event_key({"type": "url_verification", "challenge": "c"}) is None
    assert event_key({"type": "event_callback"}) is None


def test_chat_keys_name_the_conversation() -> None:
    event = json.loads(event_body(dm("hi"), event_id="EvA"))
    assert chat_key(event) == f"slack:{TEAM}:D1"
    assert chat_key(CLICK) == f"slack:{TEAM}:D1"
    assert chat_key(COMMAND) == f"slack:{TEAM}:C7"
    view = {"type": "view_submission", "team": {"id": TEAM}, "trigger_id": "t9"}
    assert chat_key(view) == f"action:{TEAM}:t9"
    assert chat_key({}) == "slack:unknown"
