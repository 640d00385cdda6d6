"""The one way in (IncomingMessage) and the one way out (Reply) shared by every channel."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    CONSOLE = "console"
    SLACK = "slack"
    TELEGRAM = "telegram"
    HTTP = "http"


@dataclass(frozen=True)
class IncomingMessage:
    """One inbound event from a channel, already translated by its adapter.

    `platform_message_id` is the channel's own id for the event (Slack event id, Telegram
    update id); the core handles each one once. `button_payload` is set for clicks. `group` is
    set for a chat several people share (a Telegram group): there the chat's own link to a
    client decides whose data the bot may show.
    """

    channel: str
    workspace_id: str
    chat_id: str
    sender_id: str
    text: str
    received_at: datetime
    sender_name: str = ""
    thread_id: str = ""
    button_payload: str | None = None
    platform_message_id: str | None = None
    group: bool = False
    # The recorded inbound event (bot/core/intake.py) this message came from, when it did.
    intake_id: int | None = None

    @property
    def address(self) -> Address:
        """Where an answer to this message goes: its chat, and thread if it has one."""
        return Address(self.channel, self.workspace_id, self.chat_id, self.thread_id)

    @property
    def who(self) -> str:
        """The sender as people read it: the channel's display name, else the platform id."""
        return self.sender_name or self.sender_id


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class Citation:
    title: str
    section: str
    source: str


@dataclass(frozen=True)
class Reply:
    """What the core wants said. Adapters render buttons natively or as numbered text.

    `meta` carries hints for adapters: "thread_key" (staff channel: one thread per key) and
    "one_vote" = "true" (survey scores: after the first click, replace the message's buttons
    with the choice, as Slack's adapter does for every click, so nobody votes twice; the core
    ignores a second vote anyway).
    """

    text: str
    buttons: tuple[Button, ...] = ()
    citations: tuple[Citation, ...] = ()
    thread_id: str | None = None
    kind: str = "text"
    meta: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Address:
    """Where a pushed message goes: a conversation on one channel."""

    channel: str
    workspace_id: str
    chat_id: str
    thread_id: str = ""


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A Reply as plain JSON, for the message log and the outbox."""
    return asdict(reply)


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        text=str(data["text"]),
        buttons=tuple(Button(**b) for b in data.get("buttons", [])),
        citations=tuple(Citation(**c) for c in data.get("citations", [])),
        thread_id=data.get("thread_id"),
        kind=str(data.get("kind", "text")),
        meta=dict(data.get("meta", {})),
    )
