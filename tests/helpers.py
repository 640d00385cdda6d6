"""Small builders shared by tests."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.messages import IncomingMessage


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
