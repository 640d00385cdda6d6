"""Telegram updates → IncomingMessage: private chats always, groups only when addressed.

Each message and each click gets one stable platform id, so a redelivered update (a webhook
retry, a polling restart) is recognised by the core and gets no second answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import CallbackQuery, Chat, Message, MessageEntity, User

from adapters.text import link_text
from bot.core.messages import Channel, IncomingMessage

GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+|$)")


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is (from getMe): groups address it by @username, replies by id."""

    id: int
    username: str


def _name(user: User | None) -> str:
    return user.full_name if user is not None else ""


def thread_of(message: Message) -> str:
    """A forum topic is its own conversation; other chats have one conversation each."""
    if message.is_topic_message and message.message_thread_id:
        return str(message.message_thread_id)
    return ""


def _addressed(message: Message, text: str, bot: BotIdentity) -> str | None:
    """In a group: the text meant for the bot (mention removed), or None when not addressed.

    With privacy mode on, Telegram delivers exactly these: commands, mentions and replies.
    """
    command = _COMMAND.match(text)
    if command:
        target = command.group(2)
        if target is not None and target.lower() != bot.username.lower():
            return None  # /help@another_bot
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return _without_mention(text, bot)
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, value in entities.items():
        if entity.type == MessageEntity.MENTION and value[1:].lower() == bot.username.lower():
            return _without_mention(text, bot)
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return text.replace(value, " ").strip()
    return None


def _without_mention(text: str, bot: BotIdentity) -> str:
    pattern = re.compile(rf"@{re.escape(bot.username)}\b", re.IGNORECASE)
    return " ".join(pattern.sub(" ", text).split())


def _as_question(text: str) -> str:
    """`/ask QUESTION` is plain text for the core (handy in groups with privacy mode on)."""
    command = _COMMAND.match(text)
    if command and command.group(1).lower() == "ask":
        rest = text[command.end() :].strip()
        return rest or "/help"
    return text


def plain_text(message: Message) -> str:
    """The text (or caption) as plain neutral text: a hyperlinked word is `word (url)`.

    A text_mention stays the name it shows; other formatting is dropped, as Telegram's own
    `text` already does.
    """
    if message.text:
        text, entities = message.text, message.entities
    else:
        text, entities = message.caption or "", message.caption_entities
    links = sorted(
        (e for e in entities if e.type == MessageEntity.TEXT_LINK and e.url),
        key=lambda e: e.offset,
    )
    if not links:
        return text
    # Entity offsets count UTF-16 code units.
    units = text.encode("utf-16-le", "surrogatepass")
    parts: list[str] = []
    cursor = 0
    for entity in links:
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        if start < cursor or end > len(units) or start >= end:
            continue  # overlapping or out of range: left as the text shows it
        parts.append(_decode(units[cursor:start]))
        parts.append(link_text(_decode(units[start:end]), str(entity.url)))
        cursor = end
    parts.append(_decode(units[cursor:]))
    return "".join(parts)


def _decode(units: bytes) -> str:
    return units.decode("utf-16-le", "surrogatepass")


def from_message(message: Message, bot: BotIdentity, now: datetime) -> IncomingMessage | None:
    """A person's text message in a private chat, or one addressed to the bot in a group."""
    user = message.from_user
    text = plain_text(message)
    if user is None or user.is_bot or not text.strip():
        return None
    chat = message.chat
    group = chat.type in GROUP_TYPES
    if chat.type != Chat.PRIVATE and not group:
        return None  # channels: the bot does not take part
    if group:
        addressed = _addressed(message, text, bot)
        if addressed is None:
            return None
        text = addressed
    return IncomingMessage(
        channel=Channel.TELEGRAM,
        workspace_id="",
        chat_id=str(chat.id),
        sender_id=str(user.id),
        sender_name=_name(user),
        text=_as_question(text.strip()),
        received_at=now,
        thread_id=thread_of(message) if group else "",
        platform_message_id=f"message:{chat.id}:{message.message_id}",
        group=group,
    )


def from_callback(
    query: CallbackQuery, payload: str, label: str, now: datetime
) -> IncomingMessage | None:
    """A keyboard click; one per message, so a second click on the same keyboard is a duplicate."""
    message = query.message
    if message is None:
        return None  # a button on an inline-mode message: not ours
    chat = message.chat
    group = chat.type in GROUP_TYPES
    return IncomingMessage(
        channel=Channel.TELEGRAM,
        workspace_id="",
        chat_id=str(chat.id),
        sender_id=str(query.from_user.id),
        sender_name=_name(query.from_user),
        text=label,
        received_at=now,
        thread_id=thread_of(message) if group and isinstance(message, Message) else "",
        button_payload=payload,
        platform_message_id=f"click:{chat.id}:{message.message_id}",
        group=group,
    )
