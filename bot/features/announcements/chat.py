"""The client side of announcements: "Understood" on an upgrade or security notice."""

from __future__ import annotations

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.i18n import Lang, say
from bot.core.messages import Reply
from bot.features.announcements.phrases import PHRASES
from bot.features.announcements.service import Announcements


class AnnouncementChat:
    def __init__(self, announcements: Announcements) -> None:
        self._announcements = announcements

    async def on_button(self, ctx: Context, action: str) -> list[Reply]:
        """`announce:ack:ID`: the contact the notice was sent to says it is understood."""
        verb, _, rest = action.partition(":")
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        if verb != "ack" or not rest.isdigit() or ctx.turn.contact_id is None:
            return [_say("unknown", ctx.lang)]
        accepted = await self._announcements.acknowledge(int(rest), ctx.turn.contact_id)
        if accepted is None:
            return [_say("unknown", ctx.lang)]
        return [_say("noted" if accepted else "noted_already", ctx.lang)]


def _say(key: str, lang: Lang) -> Reply:
    return Reply(say(PHRASES, key, lang), kind=f"announcement_{key}")
