"""The seams of the core: what the engine needs from storage, knowledge, time and delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bot.core.i18n import Lang
from bot.core.messages import Address, IncomingMessage, Reply


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@dataclass(frozen=True)
class Turn:
    """An inbound message recorded in the log, with who sent it and where."""

    message: IncomingMessage
    message_id: int
    conversation_id: int
    client_id: int | None
    contact_id: int | None
    lang: Lang
    # The conversation's form state as the turn began, when the store read it then (saves a
    # round trip); `flow_known` False means handlers ask the store.
    flow: dict[str, Any] | None = None
    flow_known: bool = False


class Store(Protocol):
    """The conversation log: each platform message is recorded once, with the replies to it."""

    async def begin_turn(
        self, message: IncomingMessage, *, log_text: str | None = None
    ) -> Turn | None:
        """Record an inbound message; None when this platform message was already handled
        (or is being handled by another event). `log_text` is what the log keeps instead of
        the text when they differ (a secret such as an invite code is not kept)."""
        ...

    async def finish_turn(
        self,
        turn: Turn,
        replies: list[Reply],
        *,
        deliver_to: Address | None = None,
        error: str | None = None,
    ) -> None:
        """Record the replies and mark the inbound message handled, or failed with `error` (a
        redelivery is then handled again). With `deliver_to` the replies are queued in the
        outbox for that address in the same transaction: answered once, never lost."""
        ...

    async def get_flow(self, conversation_id: int) -> dict[str, Any] | None:
        """State of the guided dialogue under way in a conversation (ticket form, ...)."""
        ...

    async def set_flow(self, conversation_id: int, flow: dict[str, Any] | None) -> None: ...


class Tier(StrEnum):
    CONFIDENT = "confident"
    UNSURE = "unsure"
    LOW = "low"


@dataclass(frozen=True)
class KbHit:
    """One knowledge-base article matched by a question, with the section that answers it."""

    article_id: str
    title: str
    section: str
    text: str
    source: str
    lang: Lang
    score: float


@dataclass(frozen=True)
class KbResult:
    tier: Tier
    hits: tuple[KbHit, ...]


class KnowledgeBase(Protocol):
    async def lookup(self, question: str, lang: Lang, about: tuple[str, ...] = ()) -> KbResult:
        """Best articles for `question`, tiered by the configured thresholds. `about` names
        the asker's own case (their support tier, as headings name it: "gold", "金牌"): where
        the article has a section for it and the question names no other, that one is shown.

        Raises IndexNotReadyError when no usable index is built.
        """
        ...

    async def section_for(
        self, article_id: str, question: str, lang: Lang, about: tuple[str, ...] = ()
    ) -> KbHit | None:
        """The section of one article that best answers `question` (empty: its first section),
        in `lang` when the article exists in it; None when the article is unknown."""
        ...


class Outbox(Protocol):
    """Durable outbound messages: a row first, a send later, never twice."""

    async def enqueue(
        self,
        address: Address,
        reply: Reply,
        *,
        conversation_id: int | None = None,
        key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Queue `reply` for `address`; False when `key` was already queued."""
        ...

    async def withdraw(self, key: str) -> bool:
        """Cancel the message queued under `key` if it has not been sent; True if it was."""
        ...


class Sender(Protocol):
    """A channel's way of pushing a message outside a reply (implemented by adapters)."""

    async def send(self, address: Address, reply: Reply) -> str | None:
        """Deliver and return the platform message id, if the channel has one."""
        ...
