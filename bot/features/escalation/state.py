"""Escalation's state machine: a conversation goes bot → waiting_for_human → human → bot (or
closed); every transition is one transaction with its event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import ConflictError, NotFoundError
from bot.core.protocols import Clock
from bot.features.escalation.models import Escalation, EscalationEvent
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Conversation, Project


class EscalationState(StrEnum):
    BOT = "bot"
    WAITING = "waiting_for_human"
    HUMAN = "human"
    CLOSED = "closed"


class Action(StrEnum):
    """A transition, named as its event is logged."""

    ESCALATE = "escalated"
    TAKE = "taken"
    HAND_BACK = "handed_back"
    CLOSE = "closed"
    REOPEN = "reopened"


_S = EscalationState
_MOVES: dict[Action, tuple[frozenset[EscalationState], EscalationState]] = {
    Action.ESCALATE: (frozenset({_S.BOT, _S.CLOSED}), _S.WAITING),
    Action.TAKE: (frozenset(_S), _S.HUMAN),
    Action.HAND_BACK: (frozenset({_S.WAITING, _S.HUMAN}), _S.BOT),
    Action.CLOSE: (frozenset({_S.BOT, _S.WAITING, _S.HUMAN}), _S.CLOSED),
    Action.REOPEN: (frozenset({_S.CLOSED}), _S.BOT),
}


def next_state(current: EscalationState, action: Action) -> EscalationState:
    """The state `action` leads to from `current`; ConflictError when it is not allowed."""
    allowed, target = _MOVES[action]
    if current not in allowed:
        raise ConflictError(
            f"a conversation in state {current} cannot be {action.replace('_', ' ')}"
        )
    return target


@dataclass(frozen=True)
class EscalationView:
    conversation_id: int
    state: EscalationState
    reason: str | None
    taken_by: str | None
    escalations: int
    project_id: int | None
    low_streak: int = 0  # "I don't know" answers in a row


@dataclass(frozen=True)
class Waiting:
    """A conversation waiting for or with a person, as `aftercare conversation waiting` lists it."""

    view: EscalationView
    who: str
    client: str | None
    channel: str
    since: datetime
    client_id: int | None = None
    tier: str | None = None  # the escalation's project, for the promised answer time
    timezone: str | None = None
    answer_by: datetime | None = None  # set by EscalationService.waiting while nobody has it


class States:
    """Reads and moves a conversation's escalation state."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def state_of(self, conversation_id: int) -> EscalationView:
        """The escalation state of a conversation known to exist (a turn's): one read."""
        async with self._db.session() as session:
            row = await session.get(Escalation, conversation_id)
        if row is None:
            return EscalationView(conversation_id, EscalationState.BOT, None, None, 0, None)
        return _view(row)

    async def view(self, conversation_id: int) -> EscalationView:
        async with self._db.session() as session:
            row = await session.get(Escalation, conversation_id)
            if row is None:
                if await session.get(Conversation, conversation_id) is None:
                    raise NotFoundError(f"no conversation {conversation_id}")
                return EscalationView(conversation_id, EscalationState.BOT, None, None, 0, None)
            return _view(row)

    async def waiting(
        self, clients: frozenset[int] | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[Waiting]:
        """Conversations a person is asked for or has, oldest change first (the terminal desk,
        the console's inbox); `clients` limits them to those clients' conversations."""
        query = (
            select(Escalation, Conversation, Contact, Client, Project)
            .join(Conversation, Conversation.id == Escalation.conversation_id)
            .outerjoin(Contact, Contact.id == Conversation.contact_id)
            .outerjoin(Client, Client.id == Conversation.client_id)
            .outerjoin(Project, Project.id == Escalation.project_id)
            .where(
                Escalation.state.in_([EscalationState.WAITING.value, EscalationState.HUMAN.value])
            )
            .order_by(Escalation.updated_at, Escalation.conversation_id)
            .offset(offset)
            .limit(limit)
        )
        if clients is not None:
            query = query.where(Conversation.client_id.in_(sorted(clients)))
        async with self._db.session() as session:
            rows = await session.execute(query)
            return [
                Waiting(
                    _view(row),
                    contact.name if contact else conversation.chat_id,
                    client.name if client else None,
                    conversation.channel,
                    row.updated_at,
                    conversation.client_id,
                    project.sla_tier if project else None,
                    project.timezone if project else None,
                )
                for row, conversation, contact, client, project in rows.all()
            ]

    async def note_faq(self, conversation_id: int, *, low: bool) -> int:
        """Record an FAQ outcome; returns how many "I don't know" answers came in a row."""
        async with self._db.session() as session:
            row = await self.row(session, conversation_id)
            row.low_streak = row.low_streak + 1 if low else 0
            return row.low_streak

    async def row(self, session: AsyncSession, conversation_id: int) -> Escalation:
        row = await session.get(
            Escalation, conversation_id, with_for_update=self._db.dialect == "postgresql"
        )
        if row is not None:
            return row
        if await session.get(Conversation, conversation_id) is None:
            raise NotFoundError(f"no conversation {conversation_id}")
        row = Escalation(
            conversation_id=conversation_id,
            state=EscalationState.BOT.value,
            reason=None,
            project_id=None,
            taken_by=None,
            low_streak=0,
            escalations=0,
            updated_at=self._clock.now(),
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:
            return await session.get_one(Escalation, conversation_id, with_for_update=True)
        return row

    async def move(
        self, conversation_id: int, action: Action, actor: str, note: str | None, **values: Any
    ) -> tuple[EscalationView, int | None]:
        """One transition and its event, atomically; returns the new view and the event id.

        Taking a conversation the same person already has changes nothing (event id None).
        """
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self.row(session, conversation_id)
            before = EscalationState(row.state)
            if action is Action.TAKE and before is _S.HUMAN and row.taken_by == values["taken_by"]:
                return _view(row), None
            after = next_state(before, action)
            changed = await session.scalar(
                update(Escalation)
                .where(
                    Escalation.conversation_id == conversation_id, Escalation.state == before.value
                )
                .values(state=after.value, updated_at=now, **values)
                .returning(Escalation.conversation_id)
                .execution_options(synchronize_session=False)
            )
            if changed is None:
                raise ConflictError("the conversation changed meanwhile; try again")
            logged = event(conversation_id, now, actor, action.value, before, after, note)
            session.add(logged)
            await session.flush()
            await session.refresh(row)
            return _view(row), logged.id

    async def record(
        self, conversation_id: int, actor: str, kind: str, state: EscalationState, note: str
    ) -> None:
        """An event that changes no state (a reminder sent)."""
        async with self._db.session() as session:
            session.add(event(conversation_id, self._clock.now(), actor, kind, state, state, note))


def _view(row: Escalation) -> EscalationView:
    return EscalationView(
        conversation_id=row.conversation_id,
        state=EscalationState(row.state),
        reason=row.reason,
        taken_by=row.taken_by,
        escalations=row.escalations,
        project_id=row.project_id,
        low_streak=row.low_streak,
    )


def event(
    conversation_id: int,
    at: datetime,
    actor: str,
    kind: str,
    before: EscalationState,
    after: EscalationState,
    note: str | None,
) -> EscalationEvent:
    return EscalationEvent(
        conversation_id=conversation_id,
        at=at,
        actor=actor[:200],
        kind=kind,
        from_state=before.value,
        to_state=after.value,
        note=note,
    )
