"""The client side of training: `/training` lists the client's upcoming sessions with Register
buttons (`training:reg:ID`); rating buttons after a session (`training:rate:ID:SCORE`)."""

from __future__ import annotations

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.i18n import Lang, say
from bot.core.localtime import when_text
from bot.core.messages import Button, Reply
from bot.features.training.phrases import PHRASES
from bot.features.training.service import KINDS, Offer, TrainingService, place_text


class TrainingChat:
    def __init__(self, training: TrainingService) -> None:
        self._training = training

    async def show(self, ctx: Context, _args: str) -> list[Reply]:
        client_id = ctx.turn.client_id
        if client_id is None:
            return [not_linked(ctx.lang)]
        offers = await self._training.offers(client_id, ctx.turn.contact_id)
        if not offers:
            return [Reply(say(PHRASES, "none", ctx.lang), kind="training_none")]
        lines = [say(PHRASES, "list_head", ctx.lang)]
        buttons: list[Button] = []
        for number, offer in enumerate(offers, start=1):
            lines.append(f"{number}. {_describe(offer, ctx.lang)}")
            if offer.registered:
                lines.append(say(PHRASES, "registered_mark", ctx.lang))
            else:
                label = say(PHRASES, "register", ctx.lang, title=offer.title)
                buttons.append(Button(label, f"training:reg:{offer.id}"))
        return [Reply("\n".join(lines), buttons=tuple(buttons), kind="training_list")]

    async def on_button(self, ctx: Context, action: str) -> list[Reply]:
        verb, _, rest = action.partition(":")
        client_id, contact_id = ctx.turn.client_id, ctx.turn.contact_id
        if client_id is None:
            return [not_linked(ctx.lang)]
        if contact_id is None:
            return [Reply(say(PHRASES, "need_private", ctx.lang), kind="training_need_private")]
        gone = [Reply(say(PHRASES, "gone", ctx.lang), kind="training_gone")]
        if verb == "reg" and rest.isdigit():
            try:
                offer = await self._training.register(int(rest), client_id, contact_id)
            except NotFoundError:
                return gone
            text = say(
                PHRASES,
                "registered",
                ctx.lang,
                title=offer.title,
                when=when_text(offer.starts_at, offer.timezone),
                place=place_text(offer.link, offer.address, ctx.lang),
            )
            return [Reply(text, kind="training_registered", meta={"session": rest})]
        session_id, _, score = rest.partition(":")
        if verb == "rate" and session_id.isdigit() and score.isdigit():
            try:
                rating = await self._training.rate(
                    int(session_id), int(score), client_id, contact_id
                )
            except (NotFoundError, InvalidInputError):
                return [Reply(say(PHRASES, "rate_unknown", ctx.lang), kind="training_gone")]
            key = "rated" if rating.accepted else "already_rated"
            text = say(PHRASES, key, ctx.lang, score=str(rating.score))
            return [Reply(text, kind="training_rated", meta={"session": session_id})]
        return gone


def _describe(offer: Offer, lang: Lang) -> str:
    kind = say(PHRASES, offer.kind, lang) if offer.kind in KINDS else offer.kind
    return say(
        PHRASES,
        "item",
        lang,
        title=offer.title,
        kind=kind,
        project=offer.project,
        when=when_text(offer.starts_at, offer.timezone),
        place=place_text(offer.link, offer.address, lang),
    )
