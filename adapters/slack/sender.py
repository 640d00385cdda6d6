"""Posts Replies to Slack, one or more messages each; staff-channel messages with a thread_key
share one thread. The one posting path for answers and for outbox messages alike."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from adapters.slack.blocks import SlackMessage, render_messages
from bot.core.messages import Address, Reply
from bot.core.protocols import Clock
from bot.storage.db import Database
from bot.storage.models_slack import SlackThread


class SlackSender:
    """The Sender for channel "slack"; returns the ts of the last message posted."""

    def __init__(
        self, client: AsyncWebClient, db: Database, clock: Clock, staff_channel: str | None
    ) -> None:
        self._client = client
        self._db = db
        self._clock = clock
        self._staff = staff_channel

    async def send(self, address: Address, reply: Reply) -> str | None:
        """A pushed message. In the staff channel a reply with a thread_key goes into that
        key's thread; the first message posted starts it, and the rest follows there."""
        key = reply.meta.get("thread_key")
        staff = address.chat_id == self._staff
        thread = reply.thread_id or address.thread_id or None
        if key and staff:
            thread = await self._thread_of(key) or thread
        messages = render_messages(reply)
        return await self._post(address.chat_id, messages, thread, key if staff else None)

    async def post(self, channel: str, reply: Reply, thread_ts: str | None = None) -> str | None:
        """An answer in `channel`, in the reply's own thread or else `thread_ts` (top level
        when neither); the ts of the last message posted, None when there was nothing to say."""
        thread = reply.thread_id or thread_ts or None
        return await self._post(channel, render_messages(reply), thread, None)

    async def _post(
        self, channel: str, messages: list[SlackMessage], thread: str | None, key: str | None
    ) -> str | None:
        ts: str | None = None
        for message in messages:
            response = await self._client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, thread_ts=thread
            )
            ts = str(response["ts"])
            if key and thread is None:
                # Remembered at once, so a later failure still leaves the thread findable.
                await self._remember(key, channel, ts)
                thread = ts
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
