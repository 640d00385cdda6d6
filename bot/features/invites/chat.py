"""/start in chat: with a code it redeems the invite; without one it explains how to join."""

from __future__ import annotations

from bot.core.directory import chat_identity
from bot.core.engine import Context, Handler
from bot.core.i18n import Lang, say
from bot.core.messages import Reply
from bot.features.invites.phrases import PHRASES
from bot.features.invites.service import InviteError, InviteService


class InviteChat:
    """`/start` in chat: with a code it redeems the invite; without one it explains how to join."""

    def __init__(self, invites: InviteService, help_command: Handler) -> None:
        self._invites = invites
        self._help = help_command  # /start from a linked contact: what the bot can do

    async def start(self, ctx: Context, args: str) -> list[Reply]:
        code = args.strip().split()[0] if args.strip() else ""
        if not code:
            if ctx.turn.client_id is None:
                return [Reply(say(PHRASES, "how_to_join", ctx.lang), kind="not_linked")]
            return await self._help(ctx, "")
        message = ctx.turn.message
        user_id = chat_identity(message.chat_id) if message.group else message.sender_id
        try:
            joined = await self._invites.redeem(
                code, message.channel, message.workspace_id, user_id, message.sender_name
            )
        except InviteError as exc:
            return [
                Reply(_refusal(exc, ctx.lang), kind="invite_refused", meta={"reason": exc.reason})
            ]
        key = "welcome_group" if message.group else "welcome"
        text = say(PHRASES, key, ctx.lang, name=joined.contact, client=joined.client)
        return [Reply(text, kind="invite_accepted")]


def _refusal(exc: InviteError, lang: Lang) -> str:
    if exc.reason == "expired" and exc.expired_at is not None:
        return say(PHRASES, "expired", lang, date=exc.expired_at.date().isoformat())
    return say(PHRASES, exc.reason if exc.reason in ("used", "expired") else "unknown", lang)
