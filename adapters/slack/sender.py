"""Posts outbox messages to Slack; staff-channel messages with a thread_key share one thread."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from adapters.slack.blocks import render
from bot.messages import Address, Button, Reply
from bot.protocols import Clock
from bot.storage.db import Database
from bot.storage.models_slack import SlackThread


def staff_buttons(reply: Reply) -> Reply:
    """Ticket messages to staff get acknowledge / assign to me / resolve (payload `staff:...`)."""
    ref = reply.meta.get("ticket") or reply.meta.get("thread_key", "").removeprefix("ticket:")
    if not reply.meta.get("thread_key", "").startswith("ticket:") and "ticket" not in reply.meta:
        return reply
    if reply.buttons or not ref:
        return reply
    buttons = (
        Button("Acknowledge", f"staff:ack:{ref}"),
        Button("Assign to me", f"staff:mine:{ref}"),
        Button("Resolve", f"staff:resolve:{ref}"),
    )
    return Reply(reply.text, buttons, reply.citations, reply.thread_id, reply.kind, reply.meta)


class SlackSender:
    """The Sender for channel "slack"; returns the posted message's ts."""

    def __init__(
        self, client: AsyncWebClient, db: Database, clock: Clock, staff_channel: str | None
    ) -> None:
        self._client = client
        self._db = db
        self._clock = clock
        self._staff = staff_channel

    async def send(self, address: Address, reply: Reply) -> str | None:
        key = reply.meta.get("thread_key")
        if address.chat_id == self._staff:
            reply = staff_buttons(reply)
        thread = reply.thread_id or address.thread_id or None
        if key and address.chat_id == self._staff:
            thread = await self._thread_of(key) or thread
        response = await self._client.chat_postMessage(
            channel=address.chat_id, text=reply.text, blocks=render(reply), thread_ts=thread
        )
        ts = str(response["ts"])
        if key and address.chat_id == self._staff and thread is None:
            await self._remember(key, address.chat_id, ts)
        return ts

    async def _thread_of(self, key: str) -> str | None:
        async with self._db.session() as session:
            return await session.scalar(select(SlackThread.ts).where(SlackThread.key == key))

    async def _remember(self, key: str, channel: str, ts: str) -> None:
        try:
            async with self._db.session() as session:
                session.add(
                    SlackThread(key=key, channel=channel, ts=ts, created_at=self._clock.now())
                )
        except IntegrityError:
            pass  # another worker started this thread first; later messages go into theirs


async def thread_key_of(db: Database, channel: str, ts: str) -> str | None:
    """The key whose staff thread starts at message `ts` (the reverse of SlackSender's map)."""
    async with db.session() as session:
        return await session.scalar(
            select(SlackThread.key).where(SlackThread.channel == channel, SlackThread.ts == ts)
        )
