"""Button payloads ↔ Telegram callback_data (at most 64 bytes), bound to the chat they went to.

A Telegram client can send any callback_data for a message it can see, so every button carries
a short MAC of (chat id, payload) under a key derived from the bot token: a payload the bot
never offered in this chat is refused, wherever it was copied from. A payload too long to fit
with its MAC is stored under a token derived from its hash (any replica resolves it), and the
MAC then covers the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.messages import Button
from bot.core.protocols import Clock
from bot.storage.db import Database, insert_for
from bot.storage.models_telegram import TelegramCallback

MAX_BYTES = 64
LABEL_LIMIT = 64
SCORES_PER_ROW = 6
_PREFIX = "~"  # no core payload starts with it: core payloads are "prefix:value"
_MAC_CHARS = 8
_SEP = "."


def token_for(payload: str) -> str:
    digest = hashlib.sha256(payload.encode()).digest()
    return _PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class CallbackStore:
    """Encodes a Reply's buttons as an inline keyboard for one chat; decodes clicks."""

    def __init__(self, db: Database, clock: Clock, bot_token: str) -> None:
        self._db = db
        self._clock = clock
        self._key = hashlib.sha256(b"aftercare-callback:" + bot_token.encode()).digest()

    def _mac(self, chat_id: str, body: str) -> str:
        digest = hmac.new(self._key, f"{chat_id}\0{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]

    async def encode(self, payload: str, chat_id: str) -> str:
        body = payload
        if len(payload.encode()) + 1 + _MAC_CHARS > MAX_BYTES or payload.startswith(_PREFIX):
            body = token_for(payload)
            # Stored once: another replica may store it at the same moment (same token, same
            # payload), and it is kept then as it is.
            async with self._db.session() as session:
                await session.execute(
                    insert_for(self._db.dialect, TelegramCallback)
                    .values(token=body, payload=payload, created_at=self._clock.now())
                    .on_conflict_do_nothing(index_elements=["token"])
                )
        return f"{body}{_SEP}{self._mac(chat_id, body)}"

    async def decode(self, data: str, chat_id: str, offered: bool = False) -> str | None:
        """The payload behind `data` clicked in `chat_id`; None when it was not offered there.

        `offered` says the data is on the clicked message's own keyboard as Telegram holds it
        (buttons sent before payloads carried a MAC are honoured that way).
        """
        body, sep, mac = data.rpartition(_SEP)
        if sep and len(mac) == _MAC_CHARS and hmac.compare_digest(mac, self._mac(chat_id, body)):
            pass
        elif offered:
            body = data
        else:
            return None
        if not body.startswith(_PREFIX):
            return body
        async with self._db.session() as session:
            row = await session.get(TelegramCallback, body)
        return row.payload if row is not None else None

    async def keyboard(
        self, buttons: tuple[Button, ...], chat_id: str
    ) -> InlineKeyboardMarkup | None:
        """One button a row: labels (knowledge-base titles) are often long. Score scales
        (every label a number: CSAT 1-5, NPS 0-10) go side by side, SCORES_PER_ROW a row."""
        if not buttons:
            return None
        keys = [
            InlineKeyboardButton(
                _label(b.label), callback_data=await self.encode(b.payload, chat_id)
            )
            for b in buttons
        ]
        per_row = SCORES_PER_ROW if all(b.label.isdigit() for b in buttons) else 1
        return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])


def _label(text: str) -> str:
    text = " ".join(text.split()) or "…"
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"
