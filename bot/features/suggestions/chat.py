"""/suggest and "I have a suggestion: ..." in chat: the idea goes to the client's project team."""

from __future__ import annotations

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.errors import InvalidInputError
from bot.core.i18n import CANCEL_WORDS, say, t
from bot.core.messages import Reply
from bot.features.suggestions.phrases import PHRASES, suggestion_text
from bot.features.suggestions.service import SuggestionService

FLOW = "suggestion"


class SuggestionChat:
    def __init__(self, suggestions: SuggestionService) -> None:
        self._suggestions = suggestions

    async def suggest_command(self, ctx: Context, args: str) -> list[Reply]:
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        if len(args.strip()) < 3:
            await ctx.set_flow({"name": FLOW})
            return [Reply(say(PHRASES, "ask_suggestion", ctx.lang), kind="suggestion_form")]
        return await self._suggest(ctx, args)

    async def _suggest(self, ctx: Context, text: str) -> list[Reply]:
        assert ctx.turn.client_id is not None
        try:
            view = await self._suggestions.add(
                client_id=ctx.turn.client_id,
                text=text,
                author=ctx.turn.message.who,
                contact_id=ctx.turn.contact_id,
                conversation_id=ctx.turn.conversation_id,
            )
        except InvalidInputError:
            return [Reply(t("form_too_short", ctx.lang), kind="suggestion_form")]
        await ctx.set_flow(None)
        if view.project is None:
            return [Reply(say(PHRASES, "suggestion_thanks_plain", ctx.lang), kind="suggestion")]
        return [
            Reply(
                say(PHRASES, "suggestion_thanks", ctx.lang, project=view.project), kind="suggestion"
            )
        ]

    async def on_text(self, ctx: Context) -> list[Reply] | None:
        """The idea typed after /suggest, or announced in plain text ("I have an idea: ...")."""
        flow = await ctx.flow()
        if flow is not None and flow.get("name") == FLOW:
            if ctx.text.lower() in CANCEL_WORDS:
                await ctx.set_flow(None)
                return [Reply(t("form_cancelled", ctx.lang))]
            return await self._suggest(ctx, ctx.text)
        if flow is not None:
            return None  # another form is under way (a ticket's title may well be an idea)
        idea = suggestion_text(ctx.text)
        if idea is None or ctx.turn.client_id is None:
            return None
        if len(idea) < 3:
            await ctx.set_flow({"name": FLOW})
            return [Reply(say(PHRASES, "ask_suggestion", ctx.lang), kind="suggestion_form")]
        return await self._suggest(ctx, idea)
