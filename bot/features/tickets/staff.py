"""The staff side of tickets in a staff channel: the buttons on a ticket's messages and what a
click on them does (acknowledge, assign to me, resolve)."""

from __future__ import annotations

from typing import Protocol

from bot.core.errors import InvalidInputError
from bot.core.messages import Button


class _Changed(Protocol):
    @property
    def status(self) -> str: ...


class TicketActions(Protocol):
    """What a click does, in TicketService's words (the service posts these buttons, so this
    module does not import it)."""

    async def acknowledge(self, ref: str, actor: str) -> _Changed: ...

    async def assign(self, ref: str, assignee: str, actor: str) -> _Changed: ...

    async def resolve(self, ref: str, actor: str, note: str = "") -> _Changed: ...


PREFIX = "staff"


def staff_buttons(ref: str) -> tuple[Button, ...]:
    """On every ticket message in the staff channel: acknowledge / assign to me / resolve."""
    return (
        Button("Acknowledge", f"{PREFIX}:ack:{ref}"),
        Button("Assign to me", f"{PREFIX}:mine:{ref}"),
        Button("Resolve", f"{PREFIX}:resolve:{ref}"),
    )


class TicketStaffActions:
    def __init__(self, tickets: TicketActions) -> None:
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
