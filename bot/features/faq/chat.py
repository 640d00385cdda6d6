"""FAQ answers: the knowledge base's tiers become a cited answer, choices, or an honest 'I don't know'."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Protocol

from bot.core.engine import Context
from bot.core.errors import IndexNotReadyError
from bot.core.events import Events
from bot.core.i18n import Lang, say, t
from bot.core.messages import Button, Citation, Reply
from bot.core.protocols import KbHit, KbResult, Tier
from bot.features.faq.phrases import PHRASES
from bot.features.project_info.service import ClientCase

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 1500
MAX_CHOICES = 3


def trim(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """Cut at a sentence or line end before `limit`; extractive answers are never rewritten."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [cut.rfind(mark) for mark in ("\n", ". ", "。", "！", "？", "! ", "? ")]
    end = max(ends)
    return (cut[: end + 1] if end > limit // 2 else cut).rstrip() + " …"


def answer_reply(hit: KbHit, lang: Lang, own_line: str = "") -> Reply:
    """The cited section; `own_line` (the client's own figures) follows it, as a separate
    paragraph so the quoted text stays as written."""
    citation = Citation(title=hit.title, section=hit.section, source=hit.source)
    text = trim(hit.text)
    return Reply(
        text=f"{text}\n\n{own_line}" if own_line else text,
        citations=(citation,),
        kind="faq_answer",
        meta={"article": hit.article_id, "score": f"{hit.score:.3f}"},
    )


def escalation_buttons(lang: Lang) -> tuple[Button, ...]:
    return (
        Button(say(PHRASES, "open_ticket", lang), "ticket:new"),
        Button(say(PHRASES, "ask_person", lang), "human:request"),
    )


def dont_know_reply(lang: Lang) -> Reply:
    return Reply(
        say(PHRASES, "dont_know", lang), buttons=escalation_buttons(lang), kind="faq_abstain"
    )


def render(result: KbResult, lang: Lang, case: ClientCase | None = None) -> Reply:
    if result.tier is Tier.CONFIDENT and result.hits:
        return answer_reply(result.hits[0], lang, own_line(result.hits[0], case))
    if result.tier is Tier.UNSURE and result.hits:
        choices = tuple(
            Button(hit.title, f"kb:{hit.article_id}") for hit in result.hits[:MAX_CHOICES]
        )
        none = Button(say(PHRASES, "none_of_these", lang), "kb:-")
        return Reply(
            say(PHRASES, "did_you_mean", lang), buttons=(*choices, none), kind="faq_choices"
        )
    return dont_know_reply(lang)


# Which of the client's own figures an answer is about, by words of its title and section.
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("warranty", ("warranty", "质保")),
    ("checkin", ("check-in", "回访")),
    ("sla", ("sla", "tier", "response", "resolution", "服务级别", "时限", "响应")),
)


def topic_of(hit: KbHit) -> str | None:
    """Which of the client's own figures an answer is about, if any."""
    about = f"{hit.title} {hit.section}".casefold()
    return next((topic for topic, words in _TOPICS if any(w in about for w in words)), None)


def own_line(hit: KbHit, case: ClientCase | None) -> str:
    """The client's own figures for the answer's topic ('' when none applies)."""
    topic = topic_of(hit)
    return case.lines.get(topic, "") if case is not None and topic is not None else ""


@dataclass(frozen=True)
class KnowledgeGap:
    """Emitted when the bot answered a client's question with "I don't know" (faq_abstain):
    a question the knowledge base has no answer for. The question is in the log already."""

    question: str
    lang: Lang
    client_id: int | None  # None for an unlinked sender
    conversation_id: int
    message_id: int  # the question in the conversation log
    channel: str


class ClientCases(Protocol):
    async def case_for(self, client_id: int, lang: Lang) -> ClientCase | None: ...


class Faq:
    """Answers free text from the knowledge base; remembers the question for 'did you mean'.
    A linked client with one project (`cases`) gets the section for their own tier and a line
    of their own figures (what /project shows). Each "I don't know" is announced as a
    KnowledgeGap on `events`."""

    def __init__(self, cases: ClientCases | None = None, events: Events | None = None) -> None:
        self._cases = cases
        self._events = events or Events()

    async def _case(self, ctx: Context, lang: Lang) -> ClientCase | None:
        if self._cases is None or ctx.turn.client_id is None:
            return None
        return await self._cases.case_for(ctx.turn.client_id, lang)

    async def answer(self, ctx: Context) -> list[Reply]:
        if ctx.kb is None:
            return [Reply(t("kb_unavailable", ctx.lang, reason="no knowledge base configured"))]
        case = None
        try:
            result = await ctx.kb.lookup(ctx.text, ctx.lang)
            top = result.hits[0] if result.tier is Tier.CONFIDENT and result.hits else None
            # The client's own case is read only for an answer about their figures (most
            # answers cost no database read); with it, the section for their tier.
            if top is not None and topic_of(top) is not None:
                case = await self._case(ctx, ctx.lang)
                if case is not None:
                    own = await ctx.kb.section_for(
                        top.article_id, ctx.text, ctx.lang, case.tier_words
                    )
                    if own is not None:
                        own = replace(own, score=top.score)
                        result = replace(result, hits=(own, *result.hits[1:]))
        except IndexNotReadyError as exc:
            log.warning("knowledge base not ready: %s", exc)
            return [Reply(t("kb_unavailable", ctx.lang, reason=str(exc)))]
        if result.tier is Tier.UNSURE:
            await ctx.set_flow({"name": "kb_choice", "question": ctx.text, "lang": ctx.lang})
        reply = render(result, ctx.lang, case)
        if reply.kind == "faq_abstain":
            await self._gap(ctx, ctx.text, ctx.lang)
        return [reply]

    async def choose(self, ctx: Context, article_id: str) -> list[Reply]:
        """A click on a 'did you mean' choice, or on 'none of these' (`-`)."""
        flow = await ctx.flow()
        question = str(flow["question"]) if flow and flow.get("name") == "kb_choice" else ""
        lang: Lang = "zh" if flow and flow.get("lang") == "zh" else ctx.lang
        if flow and flow.get("name") == "kb_choice":
            await ctx.set_flow(None)
        if article_id == "-" or ctx.kb is None:
            if question:
                await self._gap(ctx, question, lang)
            return [dont_know_reply(lang)]
        try:
            hit = await ctx.kb.section_for(article_id, question, lang)
            case = await self._case(ctx, lang) if hit and topic_of(hit) else None
            if hit is not None and case is not None:
                hit = await ctx.kb.section_for(article_id, question, lang, case.tier_words)
        except IndexNotReadyError as exc:
            return [Reply(t("kb_unavailable", lang, reason=str(exc)))]
        if hit is None:
            return [Reply(say(PHRASES, "gone", lang))]
        return [answer_reply(hit, lang, own_line(hit, case))]

    async def _gap(self, ctx: Context, question: str, lang: Lang) -> None:
        """The question was recorded when the turn began; listeners that fail are logged and
        never change the answer."""
        turn = ctx.turn
        await self._events.emit(
            KnowledgeGap(
                question=question,
                lang=lang,
                client_id=turn.client_id,
                conversation_id=turn.conversation_id,
                message_id=turn.message_id,
                channel=turn.message.channel,
            )
        )
