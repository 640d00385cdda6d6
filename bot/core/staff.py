"""Where staff hear about things: the Slack staff channel, reached through the outbox.

Tickets, surveys, handoff, handover, suggestions and risk alerts all post here; a `thread`
(e.g. `ticket:ACME-7`) keeps one subject in one Slack thread (adapters/slack/sender.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.messages import Address, Button, Reply
from bot.core.protocols import Outbox


class StaffChannel:
    """Posts to the configured staff channel; without one, posts are dropped (returns False)."""

    def __init__(self, outbox: Outbox, channel: str | None) -> None:
        self._outbox = outbox
        self.address = Address("slack", "", channel) if channel else None

    @property
    def configured(self) -> bool:
        return self.address is not None

    async def post(
        self,
        text: str,
        *,
        kind: str,
        key: str,
        thread: str | None = None,
        buttons: tuple[Button, ...] = (),
        meta: Mapping[str, str] | None = None,
    ) -> bool:
        """Queue `text` once per `key`; False when no channel is set or `key` was queued."""
        if self.address is None:
            return False
        full = {"thread_key": thread} if thread else {}
        full.update(meta or {})
        reply = Reply(text, buttons=buttons, kind=kind, meta=full)
        return await self._outbox.enqueue(self.address, reply, key=key)
