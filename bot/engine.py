"""The engine: one inbound message in, the replies out; routes commands, clicks and questions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import Lang, t
from bot.messages import IncomingMessage, Reply
from bot.protocols import Clock, KnowledgeBase, Outbox, Store, Turn

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What a handler knows about the turn it is answering.

    Feature handlers get their own services by construction (see bot/app.py), not from here.
    """

    turn: Turn
    store: Store
    clock: Clock
    kb: KnowledgeBase | None
    outbox: Outbox | None

    @property
    def lang(self) -> Lang:
        return self.turn.lang

    @property
    def text(self) -> str:
        return self.turn.message.text.strip()

    # The conversation's form state, read once per turn (several text handlers look at it).
    _flow: dict[str, Any] | None = field(default=None, init=False, repr=False)
    _flow_read: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.turn.flow_known:
            self._flow, self._flow_read = self.turn.flow, True

    async def flow(self) -> dict[str, Any] | None:
        if not self._flow_read:
            self._flow = await self.store.get_flow(self.turn.conversation_id)
            self._flow_read = True
        return dict(self._flow) if self._flow is not None else None

    async def set_flow(self, flow: dict[str, Any] | None) -> None:
        await self.store.set_flow(self.turn.conversation_id, flow)
        self._flow = dict(flow) if flow is not None else None
        self._flow_read = True


Handler = Callable[[Context, str], Awaitable[list[Reply]]]
TextHandler = Callable[[Context], Awaitable[list[Reply] | None]]
Fallback = Callable[[Context], Awaitable[list[Reply]]]
Gate = Callable[[Context], Awaitable[list[Reply] | None]]


@dataclass
class Routes:
    """What the engine can do. Features add commands, button prefixes and text handlers.

    Gates see every turn first (commands and clicks too); one that returns a list, even an
    empty one, answers the turn (a conversation handed to a person bypasses the bot).
    Text handlers run in order on plain text; the first that returns replies wins, and the
    fallback (the FAQ) answers the rest.
    """

    gates: list[Gate] = field(default_factory=list)
    commands: dict[str, Handler] = field(default_factory=dict)
    buttons: dict[str, Handler] = field(default_factory=dict)
    text: list[TextHandler] = field(default_factory=list)
    fallback: Fallback | None = None


class Engine:
    """Channel-agnostic dialogue core. Every channel calls `handle` with the same message type."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        routes: Routes,
        kb: KnowledgeBase | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._routes = routes
        self._kb = kb
        self._outbox = outbox

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        """Answer one inbound message. A redelivered platform message gets no reply at all."""
        turn = await self._store.begin_turn(message)
        if turn is None:
            log.info("duplicate message ignored", extra={"channel": message.channel})
            return []
        ctx = Context(turn, self._store, self._clock, self._kb, self._outbox)
        try:
            replies = await self._route(ctx)
        except Exception as exc:
            log.exception("handler failed", extra={"conversation": turn.conversation_id})
            await self._store.fail_turn(turn, f"{type(exc).__name__}: {exc}")
            return [Reply(t("internal_error", turn.lang))]
        await self._store.finish_turn(turn, replies)
        return replies

    async def _route(self, ctx: Context) -> list[Reply]:
        for gate in self._routes.gates:
            answered = await gate(ctx)
            if answered is not None:
                return answered
        payload = ctx.turn.message.button_payload
        if payload:
            prefix, _, rest = payload.partition(":")
            handler = self._routes.buttons.get(prefix)
            if handler is None:
                return [Reply(t("empty", ctx.lang))]
            return await handler(ctx, rest)
        text = ctx.text
        if not text:
            return [Reply(t("empty", ctx.lang))]
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            name = name.split("@", 1)[0].lower()  # Telegram appends @botname in groups
            command = self._routes.commands.get(name)
            if command is None:
                return [Reply(t("unknown_command", ctx.lang, command=name[:32]))]
            return await command(ctx, args.strip())
        for text_handler in self._routes.text:
            replies = await text_handler(ctx)
            if replies is not None:
                return replies
        if self._routes.fallback is None:
            return [Reply(t("empty", ctx.lang))]
        return await self._routes.fallback(ctx)
