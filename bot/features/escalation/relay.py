"""Escalation's relay: what the client writes goes to the staff thread; a staff reply there goes
to the client's own channel, signed, once; a relayed answer can become an FAQ draft."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.i18n import say
from bot.core.messages import Button, Reply
from bot.core.protocols import Clock
from bot.features.escalation.desk import STAFF_PREFIX, Desk, staff_buttons
from bot.features.escalation.models import EscalationRelay
from bot.features.escalation.phrases import PHRASES
from bot.features.escalation.state import EscalationState, EscalationView, States
from bot.features.faq.drafts import Draft, write_draft
from bot.storage.db import Database

# Taking a conversation as the staff reply does (the service's take, without telling the client).
Take = Callable[[int, str], Awaitable[EscalationView]]


class Relayed(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"
    NOT_SENT = "not_sent"  # the conversation is back with the bot; staff are told


class Relay:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        states: States,
        desk: Desk,
        take: Take,
        kb_dir: Path,
    ) -> None:
        self._db = db
        self._clock = clock
        self._states = states
        self._desk = desk
        self._take = take
        self._kb_dir = kb_dir

    async def client_message(self, conversation_id: int, sender: str, text: str, key: str) -> None:
        """A client message while a person is asked or on: into the staff thread, once."""
        await self._desk.tell_staff(conversation_id, f"{sender}: {text}", key=f"handoff:in:{key}")

    async def staff_reply(
        self,
        conversation_id: int,
        text: str,
        staff: str,
        *,
        key: str,
        files: Sequence[tuple[str, str]] = (),
    ) -> Relayed:
        """A staff reply in the thread → the client's own channel, signed; once per `key`
        (the platform's message id), however often the platform delivers it."""
        current = await self._states.view(conversation_id)
        if current.state in (EscalationState.BOT, EscalationState.CLOSED):
            await self._desk.tell_staff(
                conversation_id,
                "Not sent: this conversation is with the bot now. Take it to answer the client.",
                key=f"handoff:unsent:{key}",
                buttons=staff_buttons(conversation_id, take=True, back=False),
            )
            return Relayed.NOT_SENT
        if current.state is EscalationState.WAITING:
            # Replying takes it; if someone else took it meanwhile the reply still goes out.
            # The signed reply itself tells the client who answers.
            with contextlib.suppress(ConflictError):
                await self._take(conversation_id, staff)
        relay = await self._record(conversation_id, text, staff, key)
        party = await self._desk.party(conversation_id)
        body = text.strip()
        if files:
            links = "\n".join(f"{name}: {url}" for name, url in files)
            body = f"{body}\n{say(PHRASES, 'files', party.lang)}\n{links}".strip()
        signed = f"{body}\n{say(PHRASES, 'signature', party.lang, staff=staff)}"
        reply = Reply(signed, kind="handoff_reply", meta={"staff": staff, "relay": str(relay.id)})
        if not await self._desk.tell_client(party, reply, f"handoff:relay:{relay.id}"):
            return Relayed.DUPLICATE
        await self._desk.tell_staff(
            conversation_id,
            f"Sent to {party.name} on {party.conversation.channel}.",
            key=f"handoff:relayed:{relay.id}",
            buttons=(Button("Save as FAQ", f"{STAFF_PREFIX}:faq:{relay.id}"),),
        )
        return Relayed.SENT

    async def save_faq(self, relay_id: int, staff: str) -> Draft:
        """Write a FAQ draft from a relayed staff answer and the client question before it."""
        async with self._db.session() as session:
            relay = await session.get(EscalationRelay, relay_id)
            if relay is None:
                raise NotFoundError(f"no relayed reply {relay_id}")
            if not relay.question:
                raise InvalidInputError(
                    "no client question precedes this reply; write the FAQ by hand"
                )
            draft = write_draft(
                self._kb_dir,
                f"handoff-{relay.id}",
                relay.question,
                relay.text,
                source=f"conversation {relay.conversation_id}, answered by {relay.staff}",
            )
            relay.draft_id = draft.id
            conversation_id = relay.conversation_id
        await self._desk.tell_staff(
            conversation_id,
            f"{staff} saved a FAQ draft: {draft.path}. Review it, then run "
            f"`aftercare kb approve {draft.id}`.",
            key=f"handoff:faq:{relay_id}",
        )
        return draft

    async def _record(
        self, conversation_id: int, text: str, staff: str, key: str
    ) -> EscalationRelay:
        question = await self._desk.last_question(conversation_id)
        try:
            async with self._db.session() as session:
                relay = EscalationRelay(
                    conversation_id=conversation_id,
                    key=key[:200],
                    staff=staff[:200],
                    text=text.strip(),
                    question=question,
                    draft_id=None,
                    created_at=self._clock.now(),
                )
                session.add(relay)
            return relay
        except IntegrityError:
            async with self._db.session() as session:
                found = await session.scalar(
                    select(EscalationRelay).where(EscalationRelay.key == key[:200])
                )
                assert found is not None
                return found
