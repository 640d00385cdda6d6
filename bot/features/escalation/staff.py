"""The staff side of escalation in the staff channel: what a click on a conversation's buttons
does (take it, hand it back, open a ticket, save a reply as an FAQ draft)."""

from __future__ import annotations

from bot.core.errors import InvalidInputError
from bot.features.escalation.service import EscalationService


class EscalationStaffActions:
    def __init__(self, escalation: EscalationService) -> None:
        self._escalation = escalation

    async def on_click(self, action: str, actor: str) -> None:
        """`take|back|ticket:CONVERSATION` or `faq:RELAY`, as the staff member `actor`; the
        service tells the staff thread itself."""
        verb, _, number = action.partition(":")
        if not number.isdigit() or len(number) > 18:
            raise InvalidInputError(f"bad handoff button {action[:40]!r}")
        target = int(number)
        if verb == "take":
            await self._escalation.take(target, actor)
        elif verb == "back":
            await self._escalation.hand_back(target, actor)
        elif verb == "ticket":
            await self._escalation.open_ticket(target, actor)
        elif verb == "faq":
            await self._escalation.relay.save_faq(target, actor)
        else:
            raise InvalidInputError(f"unknown handoff action {verb[:20]!r}")
