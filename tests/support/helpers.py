"""Small builders shared by tests."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import IncomingMessage


def console_message(
    clock: FakeClock,
    text: str,
    user: str = "alice",
    *,
    message_id: str | None = None,
    payload: str | None = None,
    chat: str | None = None,
    channel: str = "console",
    workspace: str = "",
) -> IncomingMessage:
    return IncomingMessage(
        channel=channel,
        workspace_id=workspace,
        chat_id=chat or f"console:{user}",
        sender_id=user,
        sender_name=user.title(),
        text=text,
        button_payload=payload,
        platform_message_id=message_id,
        received_at=clock.now(),
    )


async def settle(app: App, seconds: float = 15.0) -> None:
    """Wait until every recorded inbound event is processed and every due outbox message is
    sent: the server answers after it has acknowledged, so tests poll rather than sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        inbound = await app.intake.backlog()
        outbound = await app.outbox.backlog()
        if not (
            inbound["pending"] or inbound["processing"] or outbound["due"] or outbound["sending"]
        ):
            return
        if loop.time() > deadline:
            raise AssertionError(f"not settled: inbound {inbound}, outbox {outbound}")
        await asyncio.sleep(0.02)
