"""Human handoff: a conversation goes bot → waiting_for_human → human → bot (or closed); staff
see one staff-channel thread per conversation and their replies are relayed to the client."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.core.i18n import Lang, say
from bot.core.messages import Address, Button, Reply
from bot.core.protocols import Clock, Outbox
from bot.core.scheduler import Job, Jobs
from bot.core.staff import StaffChannel
from bot.features.escalation.models import Escalation, EscalationEvent, EscalationRelay
from bot.features.escalation.phrases import PHRASES
from bot.features.escalation.promise import HANDOFF_SEVERITY, promise
from bot.features.faq.drafts import Draft, write_draft
from bot.features.tickets.models import Ticket
from bot.features.tickets.phrases import lang_of, local_time
from bot.features.tickets.policies import Policies
from bot.features.tickets.service import OPEN_STATUSES, TicketOpened, TicketService, TicketView
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Conversation, Message, Project

log = logging.getLogger(__name__)

REMIND_JOB = "handoff.remind"
MAX_REMINDERS = 3
HISTORY = 8
_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}


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


def thread_key(conversation_id: int) -> str:
    """The staff-channel thread of a conversation (one per conversation, every escalation)."""
    return f"conv:{conversation_id}"


def conversation_of(key: str) -> int | None:
    prefix, _, number = key.partition(":")
    return int(number) if prefix == "conv" and number.isdigit() else None


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


@dataclass(frozen=True)
class EscalationStart:
    """`started` is False when a person was already asked (or staff are not set up)."""

    started: bool
    view: EscalationView
    client_reply: Reply


class Relayed(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"
    NOT_SENT = "not_sent"  # the conversation is back with the bot; staff are told


@dataclass(frozen=True)
class _Party:
    """Who and where the client is, as the staff thread and the promise need it."""

    conversation: Conversation
    contact: Contact | None
    client: Client | None
    projects: tuple[Project, ...]

    @property
    def name(self) -> str:
        if self.contact is not None:
            return self.contact.name
        return f"an unlinked {self.conversation.channel} user"

    @property
    def lang(self) -> Lang:
        return lang_of(self.contact.lang if self.contact else None)

    @property
    def address(self) -> Address:
        c = self.conversation
        return Address(c.channel, c.workspace_id, c.chat_id, c.thread_id)

    def project(self, project_id: int | None) -> Project | None:
        chosen = [p for p in self.projects if p.id == project_id]
        if chosen:
            return chosen[0]
        ranked = sorted(
            self.projects,
            key=lambda p: (_TIER_RANK.get(p.sla_tier, 9), -p.delivered_on.toordinal()),
        )
        return ranked[0] if ranked else None


class EscalationService:
    """Every transition is one transaction with its event; messages go out through the outbox."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        tickets: TicketService,
        policies: Policies,
        staff_channel: str | None,
        *,
        kb_dir: Path,
        remind_after: timedelta,
        scheduler: Jobs | None = None,
        terminal_desk: bool = False,
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._tickets = tickets
        self._policies = policies
        self._staff = StaffChannel(outbox, staff_channel)
        self._kb_dir = kb_dir
        self._remind_after = remind_after
        self._scheduler = scheduler
        self._terminal_desk = terminal_desk

    @property
    def enabled(self) -> bool:
        """Escalation needs somewhere for staff to see escalations: the Slack staff channel, or
        the terminal (`aftercare conversation waiting`) when AFTERCARE_STAFF_TERMINAL is on."""
        return self._staff.configured or self._terminal_desk

    # --- reading -------------------------------------------------------------------------

    async def state_of(self, conversation_id: int) -> EscalationView:
        """The handoff of a conversation known to exist (a turn's): one read."""
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

    async def waiting(self) -> list[Waiting]:
        """Conversations a person is asked for or has, oldest change first (the terminal desk)."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(Escalation, Conversation, Contact, Client)
                .join(Conversation, Conversation.id == Escalation.conversation_id)
                .outerjoin(Contact, Contact.id == Conversation.contact_id)
                .outerjoin(Client, Client.id == Conversation.client_id)
                .where(
                    Escalation.state.in_(
                        [EscalationState.WAITING.value, EscalationState.HUMAN.value]
                    )
                )
                .order_by(Escalation.updated_at, Escalation.conversation_id)
            )
            return [
                Waiting(
                    _view(row),
                    contact.name if contact else conversation.chat_id,
                    client.name if client else None,
                    conversation.channel,
                    row.updated_at,
                )
                for row, conversation, contact, client in rows.all()
            ]

    async def client_name(self, conversation_id: int, fallback: str) -> str:
        """The linked contact's name, else what the channel called the sender."""
        party = await self._party(conversation_id)
        return party.contact.name if party.contact else fallback

    # --- escalation ----------------------------------------------------------------------

    async def escalate(
        self, conversation_id: int, reason: str, *, actor: str = "system"
    ) -> EscalationStart:
        """Ask a person to take a conversation (surveys, P1 tickets and chat all come here).

        The client is told through the outbox; a conversation already waiting for or with a
        person is left as it is (`started` False).
        """
        return await self.start(conversation_id, reason, actor=actor, push=True)

    async def start(
        self,
        conversation_id: int,
        reason: str,
        *,
        actor: str,
        push: bool,
        lang: Lang | None = None,
        severity: str = HANDOFF_SEVERITY,
        project_id: int | None = None,
    ) -> EscalationStart:
        """Escalate; with `push` False the client's notice is only returned (an in-chat reply)."""
        party = await self._party(conversation_id)
        lang = lang or party.lang
        current = await self.view(conversation_id)
        if not self.enabled or current.state in (EscalationState.WAITING, EscalationState.HUMAN):
            return EscalationStart(False, current, self._already(current, lang))
        project = party.project(project_id)
        number = current.escalations + 1
        view, _ = await self._move(
            conversation_id,
            Action.ESCALATE,
            actor,
            reason,
            reason=reason[:200],
            project_id=project.id if project else None,
            taken_by=None,
            low_streak=0,
            escalations=number,
        )
        promised = (
            promise(self._policies, project.sla_tier, project.timezone, self._clock.now(), severity)
            if project is not None
            else None
        )
        await self._tell_staff(
            conversation_id,
            await self._summary(party, project, reason, promised.answer_by if promised else None),
            key=f"handoff:{conversation_id}:{number}:escalated",
            buttons=_staff_buttons(conversation_id, take=True),
        )
        if promised is None:
            text = say(PHRASES, "escalated_unknown", lang)
        elif promised.opens_at is None:
            due = local_time(promised.answer_by, promised.timezone)
            text = say(PHRASES, "escalated", lang, due=due, tz=promised.timezone)
        else:
            text = say(
                PHRASES,
                "escalated_closed",
                lang,
                opens=local_time(promised.opens_at, promised.timezone),
                due=local_time(promised.answer_by, promised.timezone),
                tz=promised.timezone,
            )
        reply = Reply(text, kind="handoff_escalated", meta={"state": view.state.value})
        if push:
            await self._tell_client(party, reply, f"handoff:{conversation_id}:{number}:told")
        await self._schedule_reminder(conversation_id, number, 1)
        if not self._staff.configured:
            log.info(
                "conversation %s waits for a person: aftercare conversation waiting",
                conversation_id,
            )
        return EscalationStart(True, view, reply)

    async def on_ticket_opened(self, event: TicketOpened) -> None:
        """A new P1 ticket from a conversation escalates it."""
        ticket = event.ticket
        if ticket.severity != "P1" or ticket.conversation_id is None or not self.enabled:
            return
        async with self._db.session() as session:
            project_id = await session.scalar(
                select(Ticket.project_id).where(Ticket.id == ticket.id)
            )
        await self.start(
            ticket.conversation_id,
            f"new P1 ticket {ticket.ref}: {ticket.title}",
            actor="tickets",
            push=True,
            severity="P1",
            project_id=project_id,
        )

    async def note_faq(self, conversation_id: int, *, low: bool) -> int:
        """Record an FAQ outcome; returns how many "I don't know" answers came in a row."""
        async with self._db.session() as session:
            row = await self._row(session, conversation_id)
            row.low_streak = row.low_streak + 1 if low else 0
            return row.low_streak

    # --- staff actions -------------------------------------------------------------------

    async def take(
        self, conversation_id: int, staff: str, *, tell_client: bool = True
    ) -> EscalationView:
        """A person takes the conversation; the client hears who (unless their reply says it)."""
        view, event_id = await self._move(
            conversation_id, Action.TAKE, staff, None, taken_by=staff[:200]
        )
        if event_id is None:
            return view  # this person has it already (a repeated click or a retried reply)
        await self._cancel_reminders(conversation_id)
        party = await self._party(conversation_id)
        event = f"handoff:event:{event_id}"
        if tell_client:
            taken = Reply(say(PHRASES, "taken", party.lang, staff=staff), kind="handoff_taken")
            await self._tell_client(party, taken, event)
        await self._tell_staff(
            conversation_id,
            f"{staff} took this conversation; replies in this thread go to {party.name}.",
            key=event,
            buttons=_staff_buttons(conversation_id, take=False),
        )
        return view

    async def hand_back(self, conversation_id: int, staff: str) -> EscalationView:
        """Staff return the conversation to the bot; the client gets a short note."""
        view, event_id = await self._move(
            conversation_id, Action.HAND_BACK, staff, None, taken_by=None
        )
        await self._cancel_reminders(conversation_id)
        party = await self._party(conversation_id)
        key = f"handoff:event:{event_id}"
        text = say(PHRASES, "handed_back", party.lang, staff=staff)
        await self._tell_client(party, Reply(text, kind="handoff_back"), key)
        await self._tell_staff(conversation_id, f"{staff} handed this back to the bot.", key=key)
        return view

    async def client_back(self, conversation_id: int, client: str, lang: Lang) -> Reply:
        """The client typed /bot: back to the bot; returns the reply for the client."""
        current = await self.view(conversation_id)
        if current.state not in (EscalationState.WAITING, EscalationState.HUMAN):
            return Reply(say(PHRASES, "already_bot", lang), kind="handoff_state")
        _, event_id = await self._move(
            conversation_id, Action.HAND_BACK, client, "/bot", taken_by=None
        )
        await self._cancel_reminders(conversation_id)
        await self._tell_staff(
            conversation_id,
            f"{client} went back to the bot; nothing more is relayed.",
            key=f"handoff:event:{event_id}",
        )
        return Reply(say(PHRASES, "back_to_bot", lang), kind="handoff_back")

    async def close(self, conversation_id: int, staff: str) -> EscalationView:
        view, event_id = await self._move(conversation_id, Action.CLOSE, staff, None, taken_by=None)
        await self._cancel_reminders(conversation_id)
        party = await self._party(conversation_id)
        key = f"handoff:event:{event_id}"
        await self._tell_client(party, Reply(say(PHRASES, "closed", party.lang, staff=staff)), key)
        await self._tell_staff(conversation_id, f"{staff} closed this conversation.", key=key)
        return view

    async def reopen(self, conversation_id: int, actor: str) -> EscalationView:
        """A client writing into a closed conversation starts again with the bot."""
        view, _ = await self._move(conversation_id, Action.REOPEN, actor, None)
        return view

    async def open_ticket(self, conversation_id: int, staff: str) -> TicketView:
        """A ticket from the conversation: its project, the client's last words, the history."""
        party = await self._party(conversation_id)
        current = await self.view(conversation_id)
        project = party.project(current.project_id)
        if project is None:
            raise InvalidInputError(f"{party.name} has no project on file; open the ticket by hand")
        question = await self._last_question(conversation_id) or current.reason or "Escalation"
        history = "\n".join(await self._history(party))
        ticket = await self._tickets.open(
            project_id=project.id,
            title=f"{question[:150]}",
            description=f"From a conversation with {party.name}.\n{history}",
            severity="P3",
            category="question",
            reporter_contact_id=party.contact.id if party.contact else None,
            conversation_id=conversation_id,
            actor=staff,
        )
        key = f"handoff:{conversation_id}:ticket:{ticket.id}"
        note = say(PHRASES, "ticket_opened", party.lang, staff=staff, ref=ticket.ref)
        await self._tell_client(party, Reply(note, kind="handoff_ticket"), key)
        await self._tell_staff(conversation_id, f"{staff} opened {ticket.ref} (P3).", key=key)
        return ticket

    # --- relay ---------------------------------------------------------------------------

    async def client_message(self, conversation_id: int, sender: str, text: str, key: str) -> None:
        """A client message while a person is asked or on: into the staff thread, once."""
        await self._tell_staff(conversation_id, f"{sender}: {text}", key=f"handoff:in:{key}")

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
        current = await self.view(conversation_id)
        if current.state in (EscalationState.BOT, EscalationState.CLOSED):
            await self._tell_staff(
                conversation_id,
                "Not sent: this conversation is with the bot now. Take it to answer the client.",
                key=f"handoff:unsent:{key}",
                buttons=_staff_buttons(conversation_id, take=True, back=False),
            )
            return Relayed.NOT_SENT
        if current.state is EscalationState.WAITING:
            # Replying takes it; if someone else took it meanwhile the reply still goes out.
            # The signed reply itself tells the client who answers.
            with contextlib.suppress(ConflictError):
                await self.take(conversation_id, staff, tell_client=False)
        relay = await self._record_relay(conversation_id, text, staff, key)
        party = await self._party(conversation_id)
        body = text.strip()
        if files:
            links = "\n".join(f"{name}: {url}" for name, url in files)
            body = f"{body}\n{say(PHRASES, 'files', party.lang)}\n{links}".strip()
        signed = f"{body}\n{say(PHRASES, 'signature', party.lang, staff=staff)}"
        reply = Reply(signed, kind="handoff_reply", meta={"staff": staff, "relay": str(relay.id)})
        if not await self._tell_client(party, reply, f"handoff:relay:{relay.id}"):
            return Relayed.DUPLICATE
        await self._tell_staff(
            conversation_id,
            f"Sent to {party.name} on {party.conversation.channel}.",
            key=f"handoff:relayed:{relay.id}",
            buttons=(Button("Save as FAQ", f"handoff:faq:{relay.id}"),),
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
        await self._tell_staff(
            conversation_id,
            f"{staff} saved a FAQ draft: {draft.path}. Review it, then run "
            f"`aftercare kb approve {draft.id}`.",
            key=f"handoff:faq:{relay_id}",
        )
        return draft

    # --- reminders -----------------------------------------------------------------------

    async def remind(self, job: Job) -> None:
        """Scheduler handler: nobody took the escalation yet; remind staff (at-least-once safe)."""
        conversation_id = int(job.payload["conversation_id"])
        number, count = int(job.payload["escalation"]), int(job.payload["count"])
        current = await self.view(conversation_id)
        if current.state is not EscalationState.WAITING or current.escalations != number:
            return
        minutes = int(self._remind_after.total_seconds() // 60) * count
        party = await self._party(conversation_id)
        key = f"handoff:remind:{conversation_id}:{number}:{count}"
        sent = await self._tell_staff(
            conversation_id,
            f"Reminder: {party.name} has waited {minutes} min for a person and nobody took it yet.",
            key=key,
            buttons=_staff_buttons(conversation_id, take=True),
            top_level=True,
        )
        if not sent and not self._staff.configured:
            log.warning("conversation %s has waited %s min for a person", conversation_id, minutes)
        if sent:
            async with self._db.session() as session:
                session.add(
                    _event(
                        conversation_id,
                        self._clock.now(),
                        "scheduler",
                        "reminded",
                        current.state,
                        current.state,
                        f"after {minutes} min",
                    )
                )
        if count < MAX_REMINDERS:
            await self._schedule_reminder(conversation_id, number, count + 1)

    async def _schedule_reminder(self, conversation_id: int, number: int, count: int) -> None:
        if self._scheduler is None:
            return
        await self._scheduler.schedule(
            REMIND_JOB,
            {"conversation_id": conversation_id, "escalation": number, "count": count},
            self._clock.now() + self._remind_after,
            key=f"handoff:remind:{conversation_id}:{number}:{count}",
        )

    async def _cancel_reminders(self, conversation_id: int) -> None:
        if self._scheduler is not None:
            await self._scheduler.cancel_prefix(f"handoff:remind:{conversation_id}:")

    # --- internals -----------------------------------------------------------------------

    async def _row(self, session: AsyncSession, conversation_id: int) -> Escalation:
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

    async def _move(
        self, conversation_id: int, action: Action, actor: str, note: str | None, **values: Any
    ) -> tuple[EscalationView, int | None]:
        """One transition and its event, atomically; returns the new view and the event id.

        Taking a conversation the same person already has changes nothing (event id None).
        """
        now = self._clock.now()
        async with self._db.session() as session:
            row = await self._row(session, conversation_id)
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
            event = _event(conversation_id, now, actor, action.value, before, after, note)
            session.add(event)
            await session.flush()
            await session.refresh(row)
            return _view(row), event.id

    async def _party(self, conversation_id: int) -> _Party:
        async with self._db.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise NotFoundError(f"no conversation {conversation_id}")
            contact = (
                await session.get(Contact, conversation.contact_id)
                if conversation.contact_id
                else None
            )
            client = (
                await session.get(Client, conversation.client_id)
                if conversation.client_id
                else None
            )
            projects: tuple[Project, ...] = ()
            if client is not None:
                rows = await session.scalars(select(Project).where(Project.client_id == client.id))
                projects = tuple(rows)
            return _Party(conversation, contact, client, projects)

    async def _summary(
        self, party: _Party, project: Project | None, reason: str, answer_by: datetime | None
    ) -> str:
        who = party.name
        if party.client is not None:
            who += f" ({party.client.name}, {party.client.code})"
        lines = [
            f"{who} needs a person. Reason: {reason}.",
            f"Channel: {party.conversation.channel}.",
        ]
        if project is not None:
            due = f"; answer by {local_time(answer_by, project.timezone)}" if answer_by else ""
            lines.append(
                f"Project: {project.name}, {project.sla_tier} SLA ({project.timezone}){due}."
            )
        if party.client is not None:
            tickets = await self._tickets.find(party.client.id, statuses=OPEN_STATUSES, limit=10)
            if tickets:
                lines.append("Open tickets:")
                lines += [f"  {t.ref} [{t.severity}] {t.status} - {t.title}" for t in tickets]
            else:
                lines.append("Open tickets: none.")
        history = await self._history(party)
        if history:
            lines.append("Last messages:")
            lines += [f"  {line}" for line in history]
        lines.append("Reply in this thread to answer the client.")
        return "\n".join(lines)

    async def _history(self, party: _Party) -> list[str]:
        async with self._db.session() as session:
            rows = list(
                await session.scalars(
                    select(Message)
                    .where(Message.conversation_id == party.conversation.id)
                    .order_by(Message.id.desc())
                    .limit(HISTORY)
                )
            )
        lines = []
        for row in reversed(rows):
            name = row.who
            if row.direction == "in":
                name = party.contact.name if party.contact else name
            text = " ".join(row.text.split())
            lines.append(f"{name}: {text[:300]}")
        return lines

    async def _last_question(self, conversation_id: int) -> str | None:
        """The client's last typed words (not a command or a click)."""
        async with self._db.session() as session:
            rows = await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.direction == "in")
                .order_by(Message.id.desc())
                .limit(20)
            )
            for row in rows:
                text = row.text.strip()
                if text and not text.startswith("/") and not (row.payload or {}).get("button"):
                    return text
        return None

    async def _record_relay(
        self, conversation_id: int, text: str, staff: str, key: str
    ) -> EscalationRelay:
        question = await self._last_question(conversation_id)
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

    async def _tell_client(self, party: _Party, reply: Reply, key: str) -> bool:
        return await self._outbox.enqueue(
            party.address, reply, conversation_id=party.conversation.id, key=f"{key}:client"
        )

    async def _tell_staff(
        self,
        conversation_id: int,
        text: str,
        *,
        key: str,
        buttons: tuple[Button, ...] = (),
        top_level: bool = False,
    ) -> bool:
        # Without a channel (the terminal desk) staff look with `aftercare conversation waiting`.
        return await self._staff.post(
            text,
            kind="handoff_staff",
            key=f"{key}:staff",
            thread=None if top_level else thread_key(conversation_id),
            buttons=buttons,
        )

    def _already(self, view: EscalationView, lang: Lang) -> Reply:
        if not self.enabled:
            return Reply(say(PHRASES, "already_bot", lang), kind="handoff_state")
        if view.state is EscalationState.HUMAN and view.taken_by:
            return Reply(
                say(PHRASES, "already_human", lang, staff=view.taken_by), kind="handoff_state"
            )
        return Reply(say(PHRASES, "already_waiting", lang), kind="handoff_state")


def _staff_buttons(conversation_id: int, *, take: bool, back: bool = True) -> tuple[Button, ...]:
    buttons = [Button("Take it", f"handoff:take:{conversation_id}")] if take else []
    if back:
        buttons.append(Button("Hand back to the bot", f"handoff:back:{conversation_id}"))
    buttons.append(Button("Open a ticket", f"handoff:ticket:{conversation_id}"))
    return tuple(buttons)


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


def _event(
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
