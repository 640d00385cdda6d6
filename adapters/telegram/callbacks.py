"""Button payloads ↔ Telegram callback_data, which holds at most 64 bytes.

A payload that fits is sent as it is. A longer one is stored under a token derived from its
hash, so the same payload always gets the same token and any replica can resolve a click.
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy.exc import IntegrityError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Button
from bot.protocols import Clock
from bot.storage.db import Database
from bot.storage.models_telegram import TelegramCallback

MAX_BYTES = 64
LABEL_LIMIT = 64
SCORES_PER_ROW = 6
_PREFIX = "~"  # no core payload starts with it: core payloads are "prefix:value"


def token_for(payload: str) -> str:
    digest = hashlib.sha256(payload.encode()).digest()
    return _PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class CallbackStore:
    """Encodes a Reply's buttons as an inline keyboard and decodes clicked callback_data."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def encode(self, payload: str) -> str:
        if len(payload.encode()) <= MAX_BYTES and not payload.startswith(_PREFIX):
            return payload
        token = token_for(payload)
        try:
            async with self._db.session() as session:
                if await session.get(TelegramCallback, token) is None:
                    session.add(
                        TelegramCallback(token=token, payload=payload, created_at=self._clock.now())
                    )
        except IntegrityError:
            pass  # stored by another replica at the same moment; same token, same payload
        return token

    async def decode(self, data: str) -> str:
        """The payload behind `data`; an unknown token is passed on as it is (the core says so)."""
        if not data.startswith(_PREFIX):
            return data
        async with self._db.session() as session:
            row = await session.get(TelegramCallback, data)
        return row.payload if row is not None else data

    async def keyboard(self, buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
        """One button a row: labels (knowledge-base titles) are often long. Score scales
        (every label a number: CSAT 1-5, NPS 0-10) go side by side, SCORES_PER_ROW a row."""
        if not buttons:
            return None
        keys = [
            InlineKeyboardButton(_label(b.label), callback_data=await self.encode(b.payload))
            for b in buttons
        ]
        per_row = SCORES_PER_ROW if all(b.label.isdigit() for b in buttons) else 1
        return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])


def _label(text: str) -> str:
    text = " ".join(text.split()) or "…"
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"
