"""The client side of surveys: score buttons (`survey:v:ID:SCORE`), Skip (`survey:skip:ID`),
and the optional comment typed after a vote."""

from __future__ import annotations

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.i18n import say
from bot.core.messages import Button, Reply
from bot.features.surveys.phrases import PHRASES
from bot.features.surveys.service import CSAT, SurveyService

FLOW = "survey_comment"


class SurveyChat:
    def __init__(self, surveys: SurveyService) -> None:
        self._surveys = surveys

    async def on_button(self, ctx: Context, action: str) -> list[Reply]:
        verb, _, rest = action.partition(":")
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        if verb == "v":
            survey_id, _, score = rest.partition(":")
            if survey_id.isdigit() and score.isdigit():
                return await self._vote(ctx, int(survey_id), int(score))
        if verb == "skip" and rest.isdigit():
            flow = await ctx.flow()
            if flow is not None and flow.get("name") == FLOW:
                await ctx.set_flow(None)
            return [Reply(say(PHRASES, "skipped", ctx.lang), kind="survey_done")]
        return [Reply(say(PHRASES, "unknown_survey", ctx.lang), kind="survey_unknown")]

    async def on_text(self, ctx: Context) -> list[Reply] | None:
        flow = await ctx.flow()
        if flow is None or flow.get("name") != FLOW or ctx.turn.client_id is None:
            return None
        await ctx.set_flow(None)
        try:
            await self._surveys.comment(int(flow["survey"]), ctx.text, ctx.turn.client_id)
        except (NotFoundError, InvalidInputError):
            return [Reply(say(PHRASES, "unknown_survey", ctx.lang), kind="survey_unknown")]
        return [Reply(say(PHRASES, "comment_thanks", ctx.lang), kind="survey_comment")]

    async def _vote(self, ctx: Context, survey_id: int, score: int) -> list[Reply]:
        assert ctx.turn.client_id is not None
        try:
            vote = await self._surveys.vote(survey_id, score, ctx.turn.client_id)
        except (NotFoundError, InvalidInputError):
            return [Reply(say(PHRASES, "unknown_survey", ctx.lang), kind="survey_unknown")]
        if not vote.accepted:
            text = say(PHRASES, "already_answered", ctx.lang, score=str(vote.score))
            return [Reply(text, kind="survey_already_answered")]
        lines = [say(PHRASES, "thanks", ctx.lang, score=str(vote.score))]
        if vote.low:
            lines.append(say(PHRASES, "will_reach_out", ctx.lang))
        flow = await ctx.flow()
        buttons: tuple[Button, ...] = ()
        # Never clobber another dialogue under way (a ticket form): then no comment prompt.
        if flow is None or flow.get("name") == FLOW:
            await ctx.set_flow({"name": FLOW, "survey": survey_id})
            lines.append(
                say(
                    PHRASES,
                    "ask_comment_csat" if vote.kind == CSAT else "ask_comment_nps",
                    ctx.lang,
                )
            )
            buttons = (Button(say(PHRASES, "skip", ctx.lang), f"survey:skip:{survey_id}"),)
        meta = {"survey": str(survey_id), "score": str(vote.score)}
        return [Reply("\n".join(lines), buttons=buttons, kind="survey_thanks", meta=meta)]
