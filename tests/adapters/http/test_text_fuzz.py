"""Bounded fuzzing of the text layer: Slack and Telegram intake never raise on odd payloads, and
rendering keeps its promises (limits, escapes, nothing lost) for any text."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Message
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from adapters.slack import blocks, keys, translate
from adapters.telegram import markup
from adapters.telegram.translate import BotIdentity, from_callback, from_message
from adapters.telegram.updates import parse_update, update_chat_key, update_key
from adapters.text import measure, split, utf16
from bot.core.messages import Button, Citation, IncomingMessage, Reply
from tests.support.telegram import BOT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = BotIdentity(int(BOT["id"]), str(BOT["username"]))
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies ---------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
FRAGMENTS = [
    "&",
    "<",
    ">",
    "|",
    "&amp;",
    "&lt;",
    "&gt;",
    "&amp",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "😀",
    "é",
    "<@U1>",
    "<@U1|ann>",
    "<#C1|general>",
    "<!here>",
    "<!subteam^S1|@team>",
    "<!date^1^{date}|today>",
    "<https://x.example|label>",
    "<mailto:a@b.c|a@b.c>",
    "word",
    "/status",
    "@aftercare_test_bot",
    "\ud800",
]
markup_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=20).map("".join)


def _mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a value of the right shape, else any JSON value."""
    return st.integers(0, 9).flatmap(lambda n: junk if n == 0 else valid)


def _shape(
    required: dict[str, st.SearchStrategy[Any]], **optional: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """An object with the right keys (each value mostly right), or now and then any subset."""
    mostly = {key: _mostly(value) for key, value in required.items()}
    strict = st.fixed_dictionaries(mostly, optional=optional)
    loose = st.fixed_dictionaries({}, optional={**mostly, **optional})
    return st.integers(0, 4).flatmap(lambda n: loose if n == 0 else strict)


some_text = _mostly(markup_text)
slack_ts = st.sampled_from(["1.0", "2.0", "3.5"])

# Slack payloads.
slack_event = _shape(
    {
        "type": st.sampled_from(["message", "app_mention"]),
        "user": st.sampled_from(["U1", "UBOT"]),
        "channel": st.sampled_from(["D1", "C1", "CSTAFF"]),
        "text": markup_text,
        "ts": slack_ts,
    },
    channel_type=_mostly(st.sampled_from(["im", "channel", "group"])),
    user_team=junk,
    thread_ts=_mostly(slack_ts),
    parent_user_id=_mostly(st.sampled_from(["UBOT", "U2"])),
    subtype=_mostly(st.sampled_from(["file_share", "thread_broadcast", "bot_message"])),
    bot_id=junk,
    files=_mostly(st.lists(_shape({"name": st.text(max_size=5), "permalink": markup_text}))),
)
slack_event_body = _shape(
    {"type": st.just("event_callback"), "event": slack_event, "event_id": st.just("Ev1")},
    team_id=junk,
)
slack_action = _shape(
    {
        "action_id": st.just("aftercare_0"),
        "value": markup_text,
        "action_ts": slack_ts,
        "text": _shape({"type": st.just("plain_text"), "text": markup_text}),
    }
)
slack_click = _shape(
    {
        "type": st.sampled_from(["block_actions", "view_submission", "shortcut"]),
        "team": _shape({"id": st.just("T1")}),
        "user": _shape({"id": st.just("U1"), "username": st.text(max_size=4)}),
        "actions": st.lists(slack_action, max_size=2),
    },
    trigger_id=junk,
    container=_shape({"channel_id": st.just("D1"), "message_ts": slack_ts, "thread_ts": slack_ts}),
    channel=_shape({"id": st.just("D1")}),
    message=_shape({"ts": slack_ts, "thread_ts": slack_ts}),
)
slack_command = _shape(
    {"command": st.just("/aftercare"), "text": markup_text, "trigger_id": st.just("t1")},
    team_id=junk,
    channel_id=junk,
    user_id=junk,
    user_name=junk,
)

# Telegram updates.
tg_ids = st.integers(-(10**13), 10**13)
tg_user = _shape(
    {"id": st.integers(1, 10**10)},
    first_name=some_text,
    last_name=junk,
    is_bot=_mostly(st.booleans()),
    username=_mostly(st.just("aftercare_test_bot")),
)
tg_chat = _shape(
    {"id": tg_ids},
    type=_mostly(st.sampled_from(["private", "group", "supergroup", "channel"])),
    title=junk,
    is_forum=junk,
)
tg_entity = _shape(
    {
        "type": st.sampled_from(["text_link", "text_mention", "mention", "bot_command", "bold"]),
        "offset": st.integers(-2, 30),
        "length": st.integers(-2, 30),
    },
    url=some_text,
    user=tg_user,
)
tg_markup = _shape(
    {
        "inline_keyboard": st.lists(
            _mostly(st.lists(_shape({"text": markup_text}, callback_data=junk), max_size=2)),
            max_size=2,
        )
    }
)
_message_fields: dict[str, st.SearchStrategy[Any]] = {
    "date": _mostly(st.integers(0, 2**31)),
    "caption": some_text,
    "entities": _mostly(st.lists(tg_entity, max_size=4)),
    "caption_entities": _mostly(st.lists(tg_entity, max_size=2)),
    "message_thread_id": _mostly(tg_ids),
    "is_topic_message": _mostly(st.booleans()),
    "migrate_to_chat_id": _mostly(tg_ids),
    "reply_markup": tg_markup,
}
_message_core = {"message_id": st.integers(1, 10**6), "chat": tg_chat, "from": tg_user}
tg_inner = _shape({**_message_core, "text": markup_text}, **_message_fields)
tg_message = _shape(
    {**_message_core, "text": markup_text},
    reply_to_message=tg_inner,
    photo=junk,
    **_message_fields,
)
tg_callback = _shape(
    {"id": st.text(min_size=1, max_size=5), "from": tg_user, "message": tg_message},
    chat_instance=junk,
    data=some_text,
)
# One kind per update, as Telegram sends them; sometimes several, or odd ones.
_kind = st.one_of(
    st.tuples(st.sampled_from(["message", "edited_message", "channel_post"]), tg_message),
    st.tuples(st.just("callback_query"), tg_callback),
    st.tuples(st.sampled_from(["poll", "message"]), junk),
)
tg_update = st.one_of(
    st.tuples(_mostly(st.integers(0, 2**40)), _kind).map(
        lambda pair: {"update_id": pair[0], pair[1][0]: pair[1][1]}
    ),
    _shape(
        {"update_id": st.integers(0, 2**40)},
        message=tg_message,
        edited_message=tg_message,
        callback_query=tg_callback,
        poll=junk,
    ),
)

# Long texts that stress the cut: escapes, emoji, long words, runs of spaces and line breaks.
long_text = st.lists(
    st.sampled_from(["&", "<", ">", "word ", "\n", " " * 40, "😀", "x" * 700, "&" * 500, "é"])
    | st.text(max_size=6),
    max_size=90,
).map("".join)
# Up to ~60,000 characters: several Slack messages, many Telegram pieces.
very_long_text = st.tuples(long_text, st.integers(1, 16)).map(lambda pair: pair[0] * pair[1])


# --- Slack intake -------------------------------------------------------------------------


@FUZZ
@given(body=slack_event_body, bot=st.sampled_from(["UBOT", None]))
def test_slack_events_give_a_message_or_none(body: dict[str, Any], bot: str | None) -> None:
    message = translate.from_event(body, bot, NOW)
    assert message is None or isinstance(message, IncomingMessage)
    staff = translate.from_staff_thread(body, bot)
    assert staff is None or isinstance(staff.text, str)


@FUZZ
@given(body=slack_click)
def test_slack_clicks_give_a_message_or_value_error(body: dict[str, Any]) -> None:
    try:
        message = translate.from_action(body, NOW)
    except ValueError:
        return
    assert isinstance(message, IncomingMessage) and isinstance(message.text, str)


@FUZZ
@given(command=slack_command)
def test_slack_commands_always_give_a_message(command: dict[str, Any]) -> None:
    assert translate.from_command(command, NOW).text.startswith("/")


@FUZZ
@given(text=markup_text)
def test_slack_markup_becomes_text_that_escaping_brings_back(text: str) -> None:
    plain = translate.to_plain(text)
    assert translate.to_plain(blocks.escape(plain)) == plain


@FUZZ
@given(
    raw=st.binary(max_size=200) | junk.map(lambda v: json.dumps(v).encode()),
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
    ),
)
def test_slack_bodies_are_a_dict_or_none(raw: bytes, content_type: str) -> None:
    body = keys.parse_body(raw, content_type)
    assert body is None or isinstance(body, dict)


@FUZZ
@given(body=slack_event_body | slack_click | slack_command | st.dictionaries(st.text(), junk))
def test_slack_keys_never_raise(body: dict[str, Any]) -> None:
    key = keys.event_key(body)
    assert key is None or isinstance(key, str)
    assert keys.chat_key(body).startswith(("slack:", "event:", "action:", "command:"))


# --- Telegram intake ----------------------------------------------------------------------


async def _noop(*_args: object) -> None:
    return None


_HANDLERS = (MessageHandler(filters.UpdateType.MESSAGE, _noop), CallbackQueryHandler(_noop))


@FUZZ
@given(data=tg_update | junk)
def test_telegram_updates_give_an_update_or_none(data: object) -> None:
    assert update_key(data).startswith("telegram:")
    assert update_chat_key(data).startswith("telegram:")
    update = parse_update(data, None)
    if update is None:
        return
    for handler in _HANDLERS:
        handler.check_update(update)  # what PTB does with it before our code runs
    if update.message is not None:
        message = from_message(update.message, ME, NOW)
        assert message is None or isinstance(message, IncomingMessage)
    query = update.callback_query
    if query is not None:
        clicked = from_callback(query, "payload", "label", NOW)
        assert clicked is None or isinstance(clicked, IncomingMessage)
        if isinstance(query.message, Message) and query.message.text:
            assert isinstance(query.message.text_html, str)  # read back by _mark_chosen


# --- rendering ----------------------------------------------------------------------------


def _reassembles(text: str, pieces: list[str]) -> None:
    """The pieces are the text in order, only whitespace dropped at the cuts and the ends."""
    at = 0
    for piece in pieces:
        while at < len(text) and text[at].isspace():
            at += 1
        assert text.startswith(piece, at), (piece[:40], text[at : at + 40])
        at += len(piece)
    assert not text[at:].strip()


@FUZZ
@given(
    text=very_long_text,
    buttons=st.lists(st.text(max_size=90), max_size=30),
    citations=st.lists(st.tuples(st.text(max_size=50), st.text(max_size=9)), max_size=4),
)
def test_slack_rendering_keeps_its_promises(
    text: str, buttons: list[str], citations: list[tuple[str, str]]
) -> None:
    reply = Reply(
        text,
        buttons=tuple(Button(label, f"p:{n}") for n, label in enumerate(buttons)),
        citations=tuple(Citation(t, s, "https://docs.example.com/" + s) for t, s in citations),
    )
    messages = blocks.render_messages(reply)
    sections: list[str] = []
    for message in messages:
        assert len(message.blocks) <= blocks.BLOCK_LIMIT
        assert 0 < measure(message.text) <= blocks.SECTION_LIMIT
        ours = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
        assert len(ours) <= blocks.SECTIONS_PER_MESSAGE
        assert sum(map(len, ours)) < 40_000
        sections += ours
        for block in message.blocks:
            if block["type"] == "context":
                assert all(measure(e["text"]) <= blocks.SECTION_LIMIT for e in block["elements"])
            if block["type"] == "actions":
                assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    for section in sections:
        assert len(section) <= blocks.SECTION_LIMIT and measure(section) <= blocks.SECTION_LIMIT
        # Every & starts a whole escape, so no piece ends inside one; no raw < or > at all.
        assert re.fullmatch(r"(?:[^&<>]|&(?:amp|lt|gt);)*", section, re.DOTALL)
    _reassembles(text, [blocks.unescape(s) for s in sections])
    if reply.buttons:
        assert any(b["type"] == "actions" for b in messages[-1].blocks)


@FUZZ
@given(text=very_long_text, citations=st.lists(st.text(max_size=3000), max_size=3))
def test_telegram_rendering_keeps_its_promises(text: str, citations: list[str]) -> None:
    reply = Reply(text, citations=tuple(Citation(t, "", "https://x.example") for t in citations))
    for html_message in markup.render(reply):
        visible = re.sub(r"<[^>]+>", "", html_message)
        assert markup.length(html.unescape(visible)) <= markup.LIMIT
    pieces = markup.split(text)
    assert all(markup.length(p) <= markup.LIMIT for p in pieces)
    _reassembles(text, pieces)


@FUZZ
@given(text=long_text, limit=st.integers(5, 400))
def test_any_limit_splits_within_it(text: str, limit: int) -> None:
    pieces = split(text, limit, utf16)
    assert all(measure(p) <= limit for p in pieces)
    _reassembles(text, pieces)
    escaped = blocks.split(text, limit)
    assert all(len(blocks.escape(p)) <= limit for p in escaped)
    _reassembles(text, escaped)


@pytest.mark.parametrize("text", ["", " ", "\n\n"])
def test_blank_text_is_one_empty_piece(text: str) -> None:
    assert split(text, 10) == [""]
