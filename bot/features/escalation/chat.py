"""The client side of escalation: /human, /bot, asking for a person, two "I don't know" answers in
a row, and the gate that relays a conversation's messages while a person has it."""

from __future__ import annotations

from bot.core.commands import not_configured
from bot.core.engine import Context, parse_command
from bot.core.i18n import say
from bot.core.messages import Button, Reply
from bot.features.escalation.phrases import PHRASES, asks_for_person
from bot.features.escalation.service import EscalationService
from bot.features.escalation.state import EscalationState

LOW_ANSWERS_TO_ESCALATE = 2
_LOW, _CONFIDENT = "faq_abstain", "faq_answer"
# Clicks that would make the bot talk (FAQ choices, the ticket form) are relayed instead;
# other clicks (survey votes, follow-up answers) are records and go through.
_DIALOGUE_BUTTONS = ("kb:", "ticket:")
_FAQ_FLOW = "kb_choice"  # "did you mean" remembering the question: not a form


class EscalationChat:
    """Routes for clients; staff act through EscalationService (Slack staff thread, CLI)."""

    def __init__(self, escalation: EscalationService) -> None:
        self._escalation = escalation
        self._unset = not_configured("talking to a person", "转人工")

    async def gate(self, ctx: Context) -> list[Reply] | None:
        """While a person is asked or on, the bot stays quiet but for /bot and /human: what the
        client types (and FAQ or ticket-form clicks) goes to the staff thread."""
        view = await self._escalation.states.state_of(ctx.turn.conversation_id)
        ctx.memo[_STREAK] = view.low_streak
        if view.state is EscalationState.BOT:
            return None
        if view.state is EscalationState.CLOSED:
            await self._escalation.reopen(ctx.turn.conversation_id, await self._client(ctx))
            return None
        command = _command(ctx)
        if command == "bot":
            return await self.bot(ctx, "")
        payload = ctx.turn.message.button_payload
        if (
            command == "human"
            or (payload or "").startswith("human:")
            or (payload is None and asks_for_person(ctx.text))
        ):
            return await self.human(ctx, "")
        if payload is not None and not payload.startswith(_DIALOGUE_BUTTONS):
            return None  # a vote or an acknowledgement is recorded as usual
        text = ctx.text if payload is None else f"[clicked] {ctx.text}"
        await self._escalation.relay.client_message(
            ctx.turn.conversation_id, await self._client(ctx), text, str(ctx.turn.message_id)
        )
        flow = await ctx.flow()
        if payload is None and command is None and flow and flow.get("name") != _FAQ_FLOW:
            return None  # a form under way (a survey comment, a ticket) still records the answer
        if view.state is EscalationState.WAITING:
            return [Reply(_say("still_waiting", ctx), kind="handoff_relayed")]
        return []

    async def human(self, ctx: Context, _args: str) -> list[Reply]:
        if not self._escalation.enabled:
            return await self._unset(ctx, "")
        escalation = await self._escalation.start(
            ctx.turn.conversation_id,
            "asked for a person",
            actor=await self._client(ctx),
            push=False,
            lang=ctx.lang,
        )
        return [escalation.client_reply]

    async def bot(self, ctx: Context, _args: str) -> list[Reply]:
        client = await self._client(ctx)
        return [await self._escalation.client_back(ctx.turn.conversation_id, client, ctx.lang)]

    async def on_text(self, ctx: Context) -> list[Reply] | None:
        if not asks_for_person(ctx.text):
            return None
        return await self.human(ctx, "")

    async def _client(self, ctx: Context) -> str:
        fallback = ctx.turn.message.who
        if ctx.turn.contact_id is None:
            return fallback
        return await self._escalation.desk.client_name(ctx.turn.conversation_id, fallback)

    async def after_faq(self, ctx: Context, replies: list[Reply]) -> list[Reply]:
        """A watcher of every turn's replies: the FAQ's answers and "I don't know"s keep the
        streak; enough "I don't know"s in a row ask a person in."""
        kinds = {r.kind for r in replies}
        if _LOW not in kinds and _CONFIDENT not in kinds:
            return replies
        if _LOW not in kinds and ctx.memo.get(_STREAK) == 0:
            return replies  # an answer, and no "I don't know" streak to reset
        streak = await self._escalation.states.note_faq(ctx.turn.conversation_id, low=_LOW in kinds)
        if streak < LOW_ANSWERS_TO_ESCALATE or not self._escalation.enabled:
            return replies
        escalation = await self._escalation.start(
            ctx.turn.conversation_id,
            f"{streak} answers in a row the bot did not know",
            actor="aftercare",
            push=False,
            lang=ctx.lang,
        )
        if not escalation.started:
            return replies
        kept = [_without_person_button(r) for r in replies]
        return [*kept, escalation.client_reply]


_STREAK = "handoff.low_streak"  # the streak as the gate read it at the start of the turn


def _without_person_button(reply: Reply) -> Reply:
    buttons: tuple[Button, ...] = tuple(
        b for b in reply.buttons if not b.payload.startswith("human:")
    )
    return Reply(reply.text, buttons, reply.citations, reply.thread_id, reply.kind, reply.meta)


def _command(ctx: Context) -> str | None:
    if ctx.turn.message.button_payload:
        return None
    parsed = parse_command(ctx.text)
    return parsed[0] if parsed is not None else None


def _say(key: str, ctx: Context) -> str:
    return say(PHRASES, key, ctx.lang)
