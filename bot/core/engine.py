"""The engine: one inbound message in, the replies out; routes commands, clicks and questions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.i18n import Lang, t
from bot.core.messages import Address, IncomingMessage, Reply
from bot.core.protocols import Clock, KnowledgeBase, Outbox, Store, Turn
from bot.storage.db import is_transient

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

    @property
    def actor(self) -> str:
        """The sender, as ticket and handover logs name a client: "Alice (client)"."""
        return f"{self.turn.message.who} (client)"

    # What a feature read at the start of the turn and wants again later in it (by key).
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
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
Watcher = Callable[[Context, list[Reply]], Awaitable[list[Reply]]]


@dataclass
class Routes:
    """What the engine can do, assembled from the features' declarations (bot/core/feature.py).

    Gates see every turn first (commands and clicks too); one that returns a list, even an
    empty one, answers the turn (a conversation handed to a person bypasses the bot).
    Text handlers run in order on plain text; the first that returns replies wins, and the
    fallback (the FAQ) answers the rest. Watchers then see (and may add to) the replies of
    every turn no gate answered: escalation counts the FAQ's "I don't know"s.
    """

    gates: list[Gate] = field(default_factory=list)
    commands: dict[str, Handler] = field(default_factory=dict)
    # Commands whose arguments are secrets (an invite code): the log keeps "/start [hidden]".
    secret_commands: set[str] = field(default_factory=set)
    buttons: dict[str, Handler] = field(default_factory=dict)
    text: list[TextHandler] = field(default_factory=list)
    fallback: Fallback | None = None
    watchers: list[Watcher] = field(default_factory=list)


class Engine:
    """Channel-agnostic dialogue core. Every channel calls `handle` with the same message type."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        routes: Routes,
        kb: KnowledgeBase | None = None,
        outbox: Outbox | None = None,
        *,
        max_chars: int = 8000,
    ) -> None:
        self._store = store
        self._clock = clock
        self._routes = routes
        self._kb = kb
        self._outbox = outbox
        self._max_chars = max_chars

    async def handle(
        self,
        message: IncomingMessage,
        *,
        deliver_to: Address | None = None,
        reply_meta: Mapping[str, str] | None = None,
    ) -> list[Reply]:
        """Answer one inbound message. A redelivered platform message gets no reply at all.

        With `deliver_to` (a platform turn) the replies, with `reply_meta` added, are queued in
        the outbox in the transaction that records the turn: nothing lost, nothing twice.
        An error of the database's availability is raised, not answered, so the event is
        processed again once the database is back.
        """
        too_long = len(message.text) > self._max_chars
        if too_long:
            message = replace(message, text=message.text[: self._max_chars])
        turn = await self._store.begin_turn(message, log_text=self._log_text(message.text))
        if turn is None:
            log.info("duplicate message ignored", extra={"channel": message.channel})
            return []
        error = None
        try:
            if too_long:
                replies = [Reply(t("too_long", turn.lang, limit=f"{self._max_chars:,}"))]
            else:
                ctx = Context(turn, self._store, self._clock, self._kb, self._outbox)
                replies = await self._route(ctx)
        except Exception as exc:
            if is_transient(exc):
                raise
            log.exception("handler failed", extra={"conversation": turn.conversation_id})
            error = f"{type(exc).__name__}: {exc}"
            replies = [Reply(t("internal_error", turn.lang))]
        if reply_meta:
            replies = [replace(r, meta={**r.meta, **reply_meta}) for r in replies]
        await self._store.finish_turn(turn, replies, deliver_to=deliver_to, error=error)
        return replies

    def _log_text(self, text: str) -> str | None:
        """The text the log keeps when it must not keep the text itself (stripped first, as
        routing strips it)."""
        text = text.strip()
        command = parse_command(text)
        if command is not None and command[1] and command[0] in self._routes.secret_commands:
            return f"{text.partition(' ')[0]} [hidden]"
        return None

    async def _route(self, ctx: Context) -> list[Reply]:
        for gate in self._routes.gates:
            answered = await gate(ctx)
            if answered is not None:
                return answered
        replies = await self._dispatch(ctx)
        for watcher in self._routes.watchers:
            replies = await watcher(ctx, replies)
        return replies

    async def _dispatch(self, ctx: Context) -> list[Reply]:
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
        parsed = parse_command(text)
        if parsed is not None:
            name, args = parsed
            command = self._routes.commands.get(name)
            if command is None:
                return [Reply(t("unknown_command", ctx.lang, command=name[:32]))]
            return await command(ctx, args)
        for text_handler in self._routes.text:
            replies = await text_handler(ctx)
            if replies is not None:
                return replies
        if self._routes.fallback is None:
            return [Reply(t("empty", ctx.lang))]
        return await self._routes.fallback(ctx)


def parse_command(text: str) -> tuple[str, str] | None:
    """`/name args` as (name, args): the name in lower case without the `@botname` Telegram
    appends in groups, the arguments stripped; None when `text` is not a command."""
    if not text.startswith("/"):
        return None
    name, _, args = text[1:].partition(" ")
    return name.split("@", 1)[0].lower(), args.strip()
