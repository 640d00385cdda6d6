"""The FAQ's turns read back from the message log: each client message whose reply in the same
turn was one of the FAQ's (an answer, "did you mean", or "I don't know"), with who asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.i18n import Lang, detect_lang, lang_of
from bot.storage.models import Client, Contact, Conversation, Message

ANSWER, CHOICES, ABSTAIN = "faq_answer", "faq_choices", "faq_abstain"
KINDS = (ANSWER, CHOICES, ABSTAIN)


@dataclass(frozen=True)
class FaqTurn:
    """One client message and the FAQ's reply to it. `button` is set for a click (a "did you
    mean" choice), None for typed text; `score` is the answer's recorded confidence."""

    message_id: int
    conversation_id: int
    asked_at: datetime
    text: str
    button: str | None
    kind: str
    score: float | None
    lang: Lang
    client_id: int | None
    client_name: str | None
    contact: str  # the contact's name, or the sender as the platform named them
    asker: str  # who asked, for counting distinct askers: the client, else the unlinked sender


async def faq_turns(session: AsyncSession, *, since: datetime | None = None) -> list[FaqTurn]:
    """Every FAQ turn (asked at or after `since`), in the order asked. A turn's replies are the
    bot's messages after the client's message and before their next one in the conversation."""
    asked = aliased(Message, name="asked")
    reply = aliased(Message, name="reply")
    following = func.lead(Message.id).over(
        partition_by=Message.conversation_id, order_by=Message.id
    )
    inbound = select(Message.id.label("id"), following.label("next_id")).where(
        Message.direction == "in"
    )
    if since is not None:
        inbound = inbound.where(Message.created_at >= since)
    turns = inbound.subquery("turns")
    kind = reply.payload["kind"].as_string()
    statement = (
        select(
            asked.id,
            asked.conversation_id,
            asked.created_at,
            asked.text,
            asked.payload,
            asked.channel,
            asked.sender_id,
            asked.sender_name,
            reply.payload.label("reply"),
            Contact.name.label("contact_name"),
            Contact.lang.label("contact_lang"),
            Client.id.label("client_id"),
            Client.name.label("client_name"),
        )
        .select_from(turns)
        .join(asked, asked.id == turns.c.id)
        .join(
            reply,
            and_(
                reply.conversation_id == asked.conversation_id,
                reply.direction == "out",
                reply.id > asked.id,
                or_(turns.c.next_id.is_(None), reply.id < turns.c.next_id),
            ),
        )
        .join(Conversation, Conversation.id == asked.conversation_id)
        .outerjoin(Contact, Contact.id == asked.contact_id)
        .outerjoin(Client, Client.id == func.coalesce(Contact.client_id, Conversation.client_id))
        .where(kind.in_(KINDS))
        .order_by(asked.id, reply.id)
    )
    found: list[FaqTurn] = []
    for row in await session.execute(statement):
        if found and found[-1].message_id == row.id:
            continue  # the turn's first FAQ reply is its answer
        found.append(_turn(row))
    return found


def _turn(row: Any) -> FaqTurn:
    payload: dict[str, Any] = row.payload or {}
    reply: dict[str, Any] = row.reply or {}
    button = payload.get("button")
    return FaqTurn(
        message_id=int(row.id),
        conversation_id=int(row.conversation_id),
        asked_at=row.created_at,
        text=str(row.text),
        button=str(button) if button else None,
        kind=str(reply.get("kind")),
        score=_score(reply),
        lang=detect_lang(str(row.text), fallback=lang_of(row.contact_lang)),
        client_id=row.client_id,
        client_name=row.client_name,
        contact=str(row.contact_name or row.sender_name or row.sender_id),
        asker=(
            f"client:{row.client_id}"
            if row.client_id is not None
            else f"sender:{row.channel}:{row.sender_id}"
        ),
    )


def _score(reply: dict[str, Any]) -> float | None:
    meta = reply.get("meta")
    value = meta.get("score") if isinstance(meta, dict) else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
