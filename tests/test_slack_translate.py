"""Slack payloads → IncomingMessage: mentions, threads, Slack Connect teams, commands, noise."""

from __future__ import annotations

import json

from adapters.slack.blocks import render
from adapters.slack.translate import from_command, from_event
from bot.clock import FakeClock
from bot.messages import Button, Citation, Reply
from tests.slack_fakes import BOT_USER, TEAM, event_body


def _event(**event: object) -> dict[str, object]:
    body: dict[str, object] = json.loads(event_body(dict(event), event_id="EvX"))
    return body


def test_mention_is_stripped_and_answered_in_a_thread(clock: FakeClock) -> None:
    body = _event(type="app_mention", channel="C1", user="U1", text=f"<@{BOT_USER}> hi", ts="5.5")
    message = from_event(body, BOT_USER, clock.now())
    assert message is not None
    assert (message.text, message.thread_id, message.platform_message_id) == ("hi", "5.5", "EvX")


def test_slack_connect_sender_keeps_its_own_team(clock: FakeClock) -> None:
    body = _event(
        type="message", channel_type="im", channel="D1", user="U2", user_team="TEXT", text="x"
    )
    message = from_event(body, BOT_USER, clock.now())
    assert message is not None and message.workspace_id == "TEXT"
    assert not message.group  # a DM: the sender's own link decides


def test_channel_messages_only_in_threads_the_bot_started(clock: FakeClock) -> None:
    ours = _event(
        type="message",
        channel="C1",
        user="U1",
        text="more",
        thread_ts="1.0",
        parent_user_id=BOT_USER,
    )
    theirs = _event(
        type="message", channel="C1", user="U1", text="chat", thread_ts="1.0", parent_user_id="U9"
    )
    top = _event(type="message", channel="C1", user="U1", text="chat")
    edited = _event(
        type="message", channel_type="im", channel="D1", user="U1", subtype="message_changed"
    )
    in_thread = from_event(ours, BOT_USER, clock.now())
    assert in_thread is not None and in_thread.group  # a channel: only its own link counts
    assert [from_event(b, BOT_USER, clock.now()) for b in (theirs, top, edited)] == [None] * 3


def test_slash_command_maps_to_core_command(clock: FakeClock) -> None:
    command = {
        "text": "status ACME-4",
        "team_id": TEAM,
        "channel_id": "D1",
        "user_id": "U1",
        "trigger_id": "t1",
    }
    message = from_command(command, clock.now())
    assert (message.text, message.platform_message_id) == ("/status ACME-4", "command:t1")
    assert from_command({**command, "text": ""}, clock.now()).text == "/help"


def test_render_links_url_sources_and_gives_each_button_its_id() -> None:
    reply = Reply(
        "a",
        buttons=(Button("Yes", "survey:y"), Button("No", "survey:n")),
        citations=(Citation("Guide", "Setup", "https://docs.example.com/g"),),
    )
    blocks = render(reply)
    assert "<https://docs.example.com/g|Guide › Setup>" in blocks[1]["elements"][0]["text"]
    assert [e["action_id"] for e in blocks[2]["elements"]] == ["aftercare_0", "aftercare_1"]
    assert [e["value"] for e in blocks[2]["elements"]] == ["survey:y", "survey:n"]
