"""Slack payloads → IncomingMessage: mentions, threads, Slack Connect teams, commands, noise."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.blocks import render
from adapters.slack.translate import (
    from_action,
    from_command,
    from_event,
    from_staff_thread,
    to_plain,
)
from bot.core.clock import FakeClock
from bot.core.messages import Button, Citation, Reply
from tests.support.slack import BOT_USER, TEAM, event_body


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


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        (
            "see <https://x.example/a?b=1&amp;c=2|the guide>",
            "see the guide (https://x.example/a?b=1&c=2)",
        ),
        ("<https://x.example>", "https://x.example"),
        ("<https://x.example|https://x.example>", "https://x.example"),
        ("<http://example.com|example.com>", "example.com"),
        ("<mailto:a@b.example|a@b.example>", "a@b.example"),
        ("<mailto:a@b.example|write us>", "write us (a@b.example)"),
        ("hi <@U123>", "hi @U123"),
        ("hi <@U123|ann>", "hi @ann"),
        ("in <#C123|general>", "in #general"),
        ("<!here> <!channel> <!everyone|everyone>", "@here @channel @everyone"),
        ("ask <!subteam^S1|@support>", "ask @support"),
        ("<!date^1392734382^{date_pretty}|Feb 18, 2014> ok", "Feb 18, 2014 ok"),
        ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"),
        ("5 > 3 & x", "5 > 3 & x"),
    ],
)
def test_slack_markup_becomes_plain_text(slack: str, plain: str) -> None:
    assert to_plain(slack) == plain


def test_markup_is_plain_everywhere_it_comes_in(clock: FakeClock) -> None:
    link = "see <https://docs.example.com/r|the guide> &amp; <@U9|sam>"
    plain = "see the guide (https://docs.example.com/r) & @sam"
    dm = from_event(
        _event(type="message", channel_type="im", channel="D1", user="U1", text=link),
        BOT_USER,
        clock.now(),
    )
    assert dm is not None and dm.text == plain
    command = from_command({"text": f"ticket {link}", "trigger_id": "t"}, clock.now())
    assert command.text == f"/ticket {plain}"
    staff = from_staff_thread(
        _event(type="message", channel="CSTAFF", user="U9", text=link, thread_ts="1.0", ts="2.0"),
        BOT_USER,
    )
    assert staff is not None and staff.text == plain
    click = from_action(_click(text={"type": "plain_text", "text": "A &amp; B"}), clock.now())
    assert click.text == "A & B"


def test_only_the_bots_own_mention_is_stripped(clock: FakeClock) -> None:
    body = _event(
        type="app_mention",
        channel="C1",
        user="U1",
        ts="5.5",
        text=f"<@{BOT_USER}|aftercare> ask <@U2|bea> about <#C9|ops>",
    )
    message = from_event(body, BOT_USER, clock.now())
    assert message is not None and message.text == "ask @bea about #ops"
    named = _event(
        type="message",
        channel="C1",
        user="U1",
        text=f"<@{BOT_USER}|aftercare> more",
        thread_ts="1.0",
        parent_user_id=BOT_USER,
    )
    assert from_event(named, BOT_USER, clock.now()) is None  # its app_mention answers it


def test_a_dm_in_a_thread_is_answered_in_the_thread(clock: FakeClock) -> None:
    top = _event(type="message", channel_type="im", channel="D1", user="U1", text="hi", ts="7.0")
    threaded = _event(
        type="message",
        channel_type="im",
        channel="D1",
        user="U1",
        text="and?",
        ts="7.2",
        thread_ts="7.0",
    )
    first, second = (from_event(b, BOT_USER, clock.now()) for b in (top, threaded))
    assert first is not None and first.thread_id == ""
    assert second is not None and second.thread_id == "7.0" and not second.group
    in_thread = _click(container={"channel_id": "D1", "message_ts": "7.1", "thread_ts": "7.0"})
    assert from_action(in_thread, clock.now()).thread_id == "7.0"
    assert from_action(_click(), clock.now()).thread_id == ""


def test_a_click_without_an_action_is_a_value_error(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="without an action"):
        from_action({"type": "block_actions", "actions": []}, clock.now())


def _click(**overrides: Any) -> dict[str, Any]:
    action = {"action_id": "aftercare_0", "value": "survey:y", "action_ts": "7.3"}
    action["text"] = overrides.pop("text", {"type": "plain_text", "text": "Yes"})
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U1", "username": "ann", "team_id": TEAM},
        "container": overrides.pop("container", {"channel_id": "D1", "message_ts": "7.1"}),
        "channel": {"id": "D1"},
        "message": {"ts": "7.1", "text": "Pick"},
        "actions": [action],
    }
