"""A conversation's transcript for staff and audits: messages, relayed staff replies and
handoff state changes in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.core.errors import NotFoundError
from bot.core.messages import Citation
from bot.features.escalation.models import Escalation, EscalationEvent, EscalationRelay
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Conversation, Message, OutboxItem


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    text: str
    kind: str  # "in" | "out" | "staff" | "state"
    citations: tuple[Citation, ...] = ()  # an FAQ answer's sources
    relay_id: int | None = None  # a staff reply's relay (it can become an FAQ draft)


@dataclass(frozen=True)
class Transcript:
    conversation_id: int
    channel: str
    chat_id: str
    client: str | None
    contact: str | None
    state: str
    lines: tuple[Line, ...]
    client_id: int | None = None
    client_code: str | None = None  # its ticket numbers' prefix


async def transcript(db: Database, conversation_id: int) -> Transcript:
    async with db.session() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFoundError(f"no conversation {conversation_id}")
        contact = (
            await session.get(Contact, conversation.contact_id) if conversation.contact_id else None
        )
        client = (
            await session.get(Client, conversation.client_id) if conversation.client_id else None
        )
        handoff = await session.get(Escalation, conversation_id)
        messages = await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        events = await session.scalars(
            select(EscalationEvent)
            .where(EscalationEvent.conversation_id == conversation_id)
            .order_by(EscalationEvent.id)
        )
        relays = await session.scalars(
            select(EscalationRelay)
            .where(EscalationRelay.conversation_id == conversation_id)
            .order_by(EscalationRelay.id)
        )
        rows = list(messages)
        queued = {
            item.id: item.created_at
            for item in await session.scalars(
                select(OutboxItem).where(OutboxItem.conversation_id == conversation_id)
            )
        }
        lines: list[tuple[datetime, int, Line]] = []
        for m in rows:
            payload = m.payload or {}
            if payload.get("kind") == "handoff_reply":
                continue  # the relay below is the record, with the staff member's name
            who = "Aftercare" if m.direction != "in" else contact.name if contact else m.who
            # A pushed message belongs where it was decided, not where it was delivered.
            at = (
                queued.get(int(payload["outbox"]), m.created_at)
                if "outbox" in payload
                else m.created_at
            )
            cited = tuple(Citation(**c) for c in payload.get("citations") or ())
            lines.append((at, 0, Line(at, who, m.text, m.direction, cited)))
        for e in events:
            note = f": {e.note}" if e.note else ""
            text = f"{e.kind} ({e.from_state} -> {e.to_state}){note}"
            lines.append((e.at, 1, Line(e.at, e.actor, text, "state")))
        for r in relays:
            lines.append(
                (
                    r.created_at,
                    2,
                    Line(r.created_at, f"{r.staff} (staff)", r.text, "staff", relay_id=r.id),
                )
            )
    ordered = tuple(line for _, _, line in sorted(lines, key=lambda x: (x[0], x[1])))
    return Transcript(
        conversation_id=conversation_id,
        channel=conversation.channel,
        chat_id=conversation.chat_id,
        client=f"{client.name} ({client.code})" if client else None,
        contact=contact.name if contact else None,
        state=handoff.state if handoff else "bot",
        lines=ordered,
        client_id=conversation.client_id,
        client_code=client.code if client else None,
    )
