"""Telegram update bodies at intake and processing: keys, and lenient parsing."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update


def update_key(data: dict[str, Any]) -> str:
    return f"telegram:{data.get('update_id')}"


def update_chat_key(data: dict[str, Any]) -> str:
    for field in ("message", "edited_message"):
        message = data.get(field)
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return f"telegram:{message['chat'].get('id')}"
    query = data.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("message"), dict):
        chat = query["message"].get("chat")
        if isinstance(chat, dict):
            return f"telegram:{chat.get('id')}"
    return f"telegram:update:{data.get('update_id')}"


def parse_update(data: object, bot: Bot) -> Update | None:
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
