"""The client side of follow-ups: "All good" on a check-in."""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.i18n import say
from bot.core.messages import Reply
from bot.features.followups.phrases import PHRASES


async def on_button(ctx: Context, _rest: str) -> list[Reply]:
    """`followup:ok:<project>`: the client says all is well."""
    return [Reply(say(PHRASES, "thanks", ctx.lang))]
