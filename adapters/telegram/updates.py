"""Telegram update JSON → PTB Update, leniently: fields PTB 22 requires but older Bot API
servers omit are filled in, wrong-typed fields the bot reads are dropped, and a delivery gets
stable keys (the update, its chat) for recording it before the ack.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Bot, Update

_MESSAGE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)
_CHANNEL_KINDS = ("channel_post", "edited_channel_post")
_CHAT_KINDS = ("my_chat_member", "chat_member", "chat_join_request")
# What the bot reads of a message; the rest is kept only while PTB can parse it.
_MESSAGE_FIELDS = (
    "message_id",
    "date",
    "chat",
    "from",
    "sender_chat",
    "text",
    "caption",
    "entities",
    "caption_entities",
    "reply_to_message",
    "message_thread_id",
    "is_topic_message",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "reply_markup",
    "edit_date",
)
_USER_TEXT = ("first_name", "last_name", "username", "language_code")
_CHAT_TEXT = ("title", "username", "first_name", "last_name")
# Not 0: a date of 0 marks an inaccessible message. Nothing in the bot reads a message's date.
_UNKNOWN_DATE = 1

_SURROGATE = re.compile("[\ud800-\udfff]")

JSON = dict[str, Any]


def parse_update(data: object, bot: Bot | None) -> Update | None:
    """`data` as an Update, or None when it is not one: not a JSON object with an integer
    `update_id`, or a message or click without what identifies it (ids, chat, sender).

    Works on copies. Tries the whole update first, then only the parts the bot uses (which
    drops, say, a photo an old server described without `file_unique_id`). Never raises.
    """
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    for whole in (True, False):
        try:
            cleaned = _update(data, whole)
            if cleaned is None:
                return None
            update = Update.de_json(cleaned, bot)
        except Exception:  # noqa: S112 -- PTB raises whatever a malformed field causes
            continue
        if update is not None:
            return update
    return None


def update_key(data: object) -> str:
    """`telegram:<update_id>`, the same on every redelivery; `telegram:invalid` without one."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    return f"telegram:{update_id}" if type(update_id) is int else "telegram:invalid"


def update_chat_key(data: object) -> str:
    """`telegram:<chat id>` for the chat an update belongs to (its message's, or its clicked
    message's); `telegram:update:<update_id>` for an update without a chat."""
    if not isinstance(data, dict):
        return "telegram:update:invalid"
    holders: list[object] = [data.get(kind) for kind in (*_MESSAGE_KINDS, *_CHAT_KINDS)]
    query = data.get("callback_query")
    if isinstance(query, dict):
        holders.append(query.get("message"))
    for holder in holders:
        chat = holder.get("chat") if isinstance(holder, dict) else None
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        if type(chat_id) is int:
            return f"telegram:{chat_id}"
    update_id = data.get("update_id")
    return f"telegram:update:{update_id if type(update_id) is int else 'invalid'}"


def _update(data: JSON, whole: bool) -> JSON | None:
    out: JSON = dict(data) if whole else {"update_id": data["update_id"]}
    for kind in _MESSAGE_KINDS:
        if data.get(kind) is None:
            out.pop(kind, None)
            continue
        hint = "channel" if kind in _CHANNEL_KINDS else None
        message = _message(data[kind], whole, nested=False, chat_hint=hint)
        if message is None:
            return None
        out[kind] = message
    if data.get("callback_query") is not None:
        query = _callback(data["callback_query"], whole)
        if query is None:
            return None
        out["callback_query"] = query
    else:
        out.pop("callback_query", None)
    return out


def _is_int(value: object) -> bool:
    return type(value) is int  # bool is an int to isinstance


def _keep(out: JSON, source: JSON, field: str, kind: type) -> None:
    """Copy `field` when it has the right JSON type, drop it otherwise. A lone surrogate
    (JSON can escape one; Telegram never sends it) becomes U+FFFD, which has the same UTF-16
    length, so entity offsets still fit and PTB can encode the text."""
    value = source.get(field)
    if isinstance(value, str) and kind is str:
        out[field] = _SURROGATE.sub("\ufffd", value)
    elif _is_int(value) if kind is int else isinstance(value, kind):
        out[field] = value
    else:
        out.pop(field, None)


def _user(value: object, whole: bool) -> JSON | None:
    """A User: an integer id is needed; first_name and is_bot are filled when missing."""
    if not isinstance(value, dict) or not _is_int(value.get("id")):
        return None
    out: JSON = dict(value) if whole else {"id": value["id"]}
    for field in _USER_TEXT:
        _keep(out, value, field, str)
    out.setdefault("first_name", "")
    out["is_bot"] = value.get("is_bot") is True
    return out


def _chat(value: object, whole: bool, hint: str | None) -> JSON | None:
    """A Chat: an integer id is needed; a missing type is inferred from the id's sign."""
    if not isinstance(value, dict) or not _is_int(value.get("id")):
        return None
    chat_id: int = value["id"]
    out: JSON = dict(value) if whole else {"id": chat_id}
    for field in _CHAT_TEXT:
        _keep(out, value, field, str)
    _keep(out, value, "is_forum", bool)
    kind = value.get("type")
    if not isinstance(kind, str) or not kind:
        if chat_id > 0:
            kind = "private"
        elif str(chat_id).startswith("-100"):
            kind = hint or "supergroup"
        else:
            kind = "group"
    out["type"] = kind
    return out


def _message(
    value: object,
    whole: bool,
    *,
    nested: bool,
    chat_hint: str | None = None,
    parent_chat: JSON | None = None,
) -> JSON | None:
    """A Message: message_id and a chat are needed (a reply without a chat is in its
    parent's); date is filled; the fields the bot reads are kept only with the right type."""
    if not isinstance(value, dict) or not _is_int(value.get("message_id")):
        return None
    given_chat = value.get("chat")
    chat = _chat(given_chat, whole, chat_hint) if given_chat is not None else parent_chat
    if chat is None:
        return None
    out: JSON = dict(value) if whole else {k: value[k] for k in _MESSAGE_FIELDS if k in value}
    out["chat"] = chat
    if not _is_int(value.get("date")):
        out["date"] = _UNKNOWN_DATE
    for field in ("text", "caption"):
        _keep(out, value, field, str)
    for field in ("message_thread_id", "migrate_to_chat_id", "migrate_from_chat_id", "edit_date"):
        _keep(out, value, field, int)
    _keep(out, value, "is_topic_message", bool)
    _set(out, "from", _user(value.get("from"), whole))
    _set(out, "sender_chat", _chat(value.get("sender_chat"), whole, None))
    for field in ("entities", "caption_entities"):
        _set(out, field, _entities(value.get(field), whole))
    _set(out, "reply_markup", _markup(value.get("reply_markup"), whole))
    for field in ("reply_to_message", "pinned_message"):
        # Telegram nests one level: a reply's own reply_to_message is never sent.
        inner = None if nested else _message(value.get(field), whole, nested=True, parent_chat=chat)
        _set(out, field, inner)
    return out


def _set(out: JSON, field: str, value: object) -> None:
    if value is None:
        out.pop(field, None)
    else:
        out[field] = value


def _entities(value: object, whole: bool) -> list[JSON] | None:
    if not isinstance(value, list):
        return None
    entities: list[JSON] = []
    for entity in value:
        if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
            continue
        offset, length = entity.get("offset"), entity.get("length")
        if type(offset) is not int or type(length) is not int or offset < 0 or length < 0:
            continue  # bool is an int to isinstance, not to type()
        out: JSON = (
            dict(entity) if whole else {"type": entity["type"], "offset": offset, "length": length}
        )
        for field in ("url", "language", "custom_emoji_id"):
            _keep(out, entity, field, str)
        _set(out, "user", _user(entity.get("user"), whole))
        entities.append(out)
    return entities


def _markup(value: object, whole: bool) -> JSON | None:
    """An inline keyboard: rows of buttons, each with a text (the bot reads labels back)."""
    rows = value.get("inline_keyboard") if isinstance(value, dict) else None
    if not isinstance(rows, list):
        return None
    keyboard: list[list[JSON]] = []
    for row in rows:
        if not isinstance(row, list):
            continue
        buttons: list[JSON] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                continue
            out = dict(button) if whole else {}
            for field in ("text", "callback_data", "url"):
                _keep(out, button, field, str)
            buttons.append(out)
        keyboard.append(buttons)
    return {"inline_keyboard": keyboard}


def _callback(value: object, whole: bool) -> JSON | None:
    """A CallbackQuery: an id and a sender are needed; chat_instance is filled."""
    if not isinstance(value, dict):
        return None
    query_id = value.get("id")
    if _is_int(query_id):
        query_id = str(query_id)
    sender = _user(value.get("from"), whole)
    if not isinstance(query_id, str) or not query_id or sender is None:
        return None
    out: JSON = dict(value) if whole else {}
    out["id"] = _SURROGATE.sub("\ufffd", query_id)
    out["from"] = sender
    instance = value.get("chat_instance")
    out["chat_instance"] = str(instance) if isinstance(instance, str) or _is_int(instance) else ""
    for field in ("data", "inline_message_id", "game_short_name"):
        _keep(out, value, field, str)
    _set(out, "message", _message(value.get("message"), whole, nested=False))
    return out
