"""Lenient Telegram update parsing: what older Bot API servers omit is filled, what cannot be an
update is None, and every delivery has stable keys."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Message, Update

from adapters.telegram.translate import BotIdentity, from_callback, from_message
from adapters.telegram.updates import parse_update, update_chat_key, update_key
from tests.support.telegram import BOT, GROUP_ID, group_text, private_text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = BotIdentity(int(BOT["id"]), str(BOT["username"]))


def _old(update: dict[str, Any]) -> dict[str, Any]:
    """The same update as an old server sends it: no chat.type, from.is_bot, first_name, date."""
    old = copy.deepcopy(update)
    message = old["message"]
    del message["chat"]["type"], message["from"]["is_bot"], message["from"]["first_name"]
    del message["date"]
    return old


def test_an_update_without_chat_type_or_is_bot_is_parsed() -> None:
    data = _old(private_text("hello"))
    before = copy.deepcopy(data)
    update = parse_update(data, None)
    assert data == before  # filled on copies
    assert update is not None and update.message is not None
    assert update.message.chat.type == "private"
    assert update.message.from_user is not None and update.message.from_user.is_bot is False
    incoming = from_message(update.message, ME, NOW)
    assert incoming is not None and incoming.text == "hello"


def test_a_group_is_inferred_from_a_negative_id() -> None:
    update = parse_update(_old(group_text(f"@{BOT['username']} hi")), None)
    assert update is not None and update.message is not None
    assert update.message.chat.type == "supergroup"  # -100… ids are supergroups
    small = _old(group_text("/help"))
    small["message"]["chat"]["id"] = -4242
    parsed = parse_update(small, None)
    assert parsed is not None and parsed.message is not None
    assert parsed.message.chat.type == "group"
    incoming = from_message(parsed.message, ME, NOW)
    assert incoming is not None and incoming.group


def test_a_reply_without_its_own_chat_is_in_its_parents() -> None:
    data = _old(group_text("thanks", reply_to={"message_id": 7, "from": dict(BOT), "text": "hi"}))
    update = parse_update(data, None)
    assert update is not None and update.message is not None
    replied = update.message.reply_to_message
    assert replied is not None and replied.chat.id == GROUP_ID
    incoming = from_message(update.message, ME, NOW)
    assert incoming is not None and incoming.text == "thanks"  # a reply to the bot is addressed


def test_a_click_without_chat_instance_is_parsed() -> None:
    data: dict[str, Any] = {
        "update_id": 77,
        "callback_query": {
            "id": 555,
            "from": {"id": 1001},
            "data": "survey:y",
            "message": {
                "message_id": 9,
                "chat": {"id": 1001},
                "text": "Pick",
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Yes", "callback_data": "survey:y"}]]
                },
            },
        },
    }
    update = parse_update(data, None)
    assert update is not None and update.callback_query is not None
    query = update.callback_query
    assert (query.id, query.chat_instance) == ("555", "")
    assert isinstance(query.message, Message) and query.message.reply_markup is not None
    incoming = from_callback(query, "survey:y", "Yes", NOW)
    assert incoming is not None and incoming.chat_id == "1001" and incoming.button_payload


def test_an_attachment_ptb_cannot_read_is_dropped_not_fatal() -> None:
    data = private_text("")
    message = data["message"]
    del message["text"]
    message.update(caption="the error", photo=[{"file_id": "f", "width": 1, "height": 1}])
    update = parse_update(data, None)  # file_unique_id (Bot API 4.5) is missing
    assert update is not None and update.message is not None
    assert update.message.caption == "the error"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "x",
        {},
        {"update_id": "1"},
        {"update_id": True},
        {"update_id": 1.0},
        {"update_id": 1, "message": {"chat": {"id": 1}}},  # no message_id
        {"update_id": 1, "message": {"message_id": 1}},  # no chat
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": "one"}}},
        {"update_id": 1, "callback_query": {"id": "q", "chat_instance": "c"}},  # no sender
    ],
)
def test_what_cannot_be_an_update_is_none(data: object) -> None:
    assert parse_update(data, None) is None


def test_wrong_types_the_bot_reads_are_dropped() -> None:
    data = private_text("hi")
    data["message"]["entities"] = [{"type": "bold", "offset": "0", "length": 2}, "junk"]
    data["message"]["message_thread_id"] = "7"
    data["message"]["from"]["username"] = 5
    update = parse_update(data, None)
    assert isinstance(update, Update) and update.message is not None
    assert update.message.entities == () and update.message.message_thread_id is None
    assert update.message.from_user is not None and update.message.from_user.username is None


def test_a_lone_surrogate_is_replaced_so_ptb_can_encode_the_text() -> None:
    data = group_text(f"@{BOT['username']} \ud800 hi")  # JSON can escape one; Telegram never
    update = parse_update(data, None)
    assert update is not None and update.message is not None
    assert update.message.text_html.startswith(f"@{BOT['username']} \ufffd")
    incoming = from_message(update.message, ME, NOW)
    assert incoming is not None and incoming.text == "\ufffd hi"


def test_keys() -> None:
    data = private_text("hi", update_id=42)
    assert update_key(data) == "telegram:42"
    assert update_chat_key(data) == f"telegram:{data['message']['chat']['id']}"
    click = {"update_id": 43, "callback_query": {"message": {"chat": {"id": -5}}}}
    assert update_chat_key(click) == "telegram:-5"
    assert update_chat_key({"update_id": 44, "poll": {}}) == "telegram:update:44"
    assert update_key([]) == "telegram:invalid"
    assert update_chat_key("x") == "telegram:update:invalid"
