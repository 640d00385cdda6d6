"""The staff side of tickets in a staff channel: the buttons on a ticket's messages and what a
click on them does (acknowledge, assign to me, resolve)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.errors import InvalidInputError
from bot.core.messages import Button

if TYPE_CHECKING:  # the service posts these buttons; the actions call the service
    from bot.features.tickets.service import TicketService

PREFIX = "staff"


def staff_buttons(ref: str) -> tuple[Button, ...]:
    """On every ticket message in the staff channel: acknowledge / assign to me / resolve."""
    return (
        Button("Acknowledge", f"{PREFIX}:ack:{ref}"),
        Button("Assign to me", f"{PREFIX}:mine:{ref}"),
        Button("Resolve", f"{PREFIX}:resolve:{ref}"),
    )


class TicketStaffActions:
    def __init__(self, tickets: TicketService) -> None:
        self._tickets = tickets

    async def on_click(self, action: str, actor: str) -> str:
        """`ack|mine|resolve:REF`, as the staff member `actor`; the line says what happened."""
        verb, _, ref = action.partition(":")
        if verb == "ack":
            view = await self._tickets.acknowledge(ref, actor)
        elif verb == "mine":
            view = await self._tickets.assign(ref, actor, actor)
        elif verb == "resolve":
            view = await self._tickets.resolve(ref, actor)
        else:
            raise InvalidInputError(f"unknown staff action {verb[:20]!r}")
        return f"{ref}: {view.status} by {actor}"
