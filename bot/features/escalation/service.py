"""Escalation: the client asks for a person (or the bot cannot help) and staff take over in a
staff-channel thread. This service runs the transitions; state.py holds the state machine,
desk.py the two audiences, relay.py the messages between them, reminders.py the nudges to
staff and promise.py when a person will answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.core.errors import InvalidInputError
from bot.core.events import Events
from bot.core.i18n import Lang, say
from bot.core.localtime import local_time
from bot.core.messages import Reply
from bot.core.protocols import Clock, Outbox
from bot.core.scheduler import Jobs
from bot.core.staff import StaffChannel
from bot.features.escalation.desk import Desk, staff_buttons
from bot.features.escalation.phrases import PHRASES
from bot.features.escalation.promise import HANDOFF_SEVERITY, promise
from bot.features.escalation.relay import Relay
from bot.features.escalation.reminders import Reminders
from bot.features.escalation.state import (
    Action,
    EscalationState,
    EscalationView,
    States,
    Waiting,
)
from bot.features.tickets.models import Ticket
from bot.features.tickets.policies import Policies
from bot.features.tickets.service import TicketOpened, TicketService, TicketView
from bot.storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EscalationStart:
    """`started` is False when a person was already asked (or staff are not set up)."""

    started: bool
    view: EscalationView
    client_reply: Reply


@dataclass(frozen=True)
class ConversationEscalated:
    """Emitted once a conversation is handed to a person (the state change is committed and
    staff are told): why, by whom, and who and where the client is."""

    conversation_id: int
    escalation: int  # 1 for the conversation's first escalation, then 2, ...
    reason: str
    actor: str
    severity: str
    channel: str
    client_code: str | None  # None for an unlinked sender
    client_name: str | None
    contact: str | None  # the contact's handle
    project: str | None


class EscalationService:
    """Every transition is one transaction with its event; messages go out through the outbox.
    `states`, `relay` and `reminders` are its parts, for the callers that need only one."""

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
        events: Events | None = None,
    ) -> None:
        self._db = db
        self._events = events or Events()
        self._clock = clock
        self._tickets = tickets
        self._policies = policies
        self._staff = StaffChannel(outbox, staff_channel)
        self._terminal_desk = terminal_desk
        self.states = States(db, clock)
        self.desk = Desk(db, outbox, self._staff, tickets)
        self.reminders = Reminders(
            self.states,
            self.desk,
            clock,
            remind_after,
            scheduler,
            staff_configured=self._staff.configured,
        )
        self.relay = Relay(db, clock, self.states, self.desk, self._taken_by_reply, kb_dir)

    @property
    def enabled(self) -> bool:
        """Escalation needs somewhere for staff to see escalations: the Slack staff channel, or
        a desk without Slack: the terminal (`aftercare conversation waiting`) when
        AFTERCARE_STAFF_TERMINAL is on, the web console's inbox when AFTERCARE_STAFF_CONSOLE is."""
        return self._staff.configured or self._terminal_desk

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
        party = await self.desk.party(conversation_id)
        lang = lang or party.lang
        current = await self.states.view(conversation_id)
        if not self.enabled or current.state in (EscalationState.WAITING, EscalationState.HUMAN):
            return EscalationStart(False, current, self._already(current, lang))
        project = party.project(project_id)
        number = current.escalations + 1
        view, _ = await self.states.move(
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
        await self.desk.tell_staff(
            conversation_id,
            await self.desk.summary(
                party, project, reason, promised.answer_by if promised else None
            ),
            key=f"handoff:{conversation_id}:{number}:escalated",
            buttons=staff_buttons(conversation_id, take=True),
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
            await self.desk.tell_client(party, reply, f"handoff:{conversation_id}:{number}:told")
        await self.reminders.schedule(conversation_id, number, 1)
        if not self._staff.configured:
            log.info(
                "conversation %s waits for a person: aftercare conversation waiting",
                conversation_id,
            )
        await self._events.emit(
            ConversationEscalated(
                conversation_id=conversation_id,
                escalation=number,
                reason=reason,
                actor=actor,
                severity=severity,
                channel=party.conversation.channel,
                client_code=party.client.code if party.client is not None else None,
                client_name=party.client.name if party.client is not None else None,
                contact=party.contact.handle if party.contact is not None else None,
                project=project.name if project is not None else None,
            )
        )
        return EscalationStart(True, view, reply)

    async def waiting(
        self, clients: frozenset[int] | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[Waiting]:
        """`States.waiting`, with the answer-by time promised to those nobody has taken yet."""
        found = await self.states.waiting(clients, limit=limit, offset=offset)
        return [
            replace(w, answer_by=promise(self._policies, w.tier, w.timezone, w.since).answer_by)
            if w.view.state is EscalationState.WAITING and w.tier and w.timezone
            else w
            for w in found
        ]

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

    async def take(
        self, conversation_id: int, staff: str, *, tell_client: bool = True
    ) -> EscalationView:
        """A person takes the conversation; the client hears who (unless their reply says it)."""
        view, event_id = await self.states.move(
            conversation_id, Action.TAKE, staff, None, taken_by=staff[:200]
        )
        if event_id is None:
            return view  # this person has it already (a repeated click or a retried reply)
        await self.reminders.cancel(conversation_id)
        party = await self.desk.party(conversation_id)
        event = f"handoff:event:{event_id}"
        if tell_client:
            taken = Reply(say(PHRASES, "taken", party.lang, staff=staff), kind="handoff_taken")
            await self.desk.tell_client(party, taken, event)
        await self.desk.tell_staff(
            conversation_id,
            f"{staff} took this conversation; replies in this thread go to {party.name}.",
            key=event,
            buttons=staff_buttons(conversation_id, take=False),
        )
        return view

    async def hand_back(self, conversation_id: int, staff: str) -> EscalationView:
        """Staff return the conversation to the bot; the client gets a short note."""
        view, event_id = await self.states.move(
            conversation_id, Action.HAND_BACK, staff, None, taken_by=None
        )
        await self.reminders.cancel(conversation_id)
        party = await self.desk.party(conversation_id)
        key = f"handoff:event:{event_id}"
        text = say(PHRASES, "handed_back", party.lang, staff=staff)
        await self.desk.tell_client(party, Reply(text, kind="handoff_back"), key)
        await self.desk.tell_staff(
            conversation_id, f"{staff} handed this back to the bot.", key=key
        )
        return view

    async def client_back(self, conversation_id: int, client: str, lang: Lang) -> Reply:
        """The client typed /bot: back to the bot; returns the reply for the client."""
        current = await self.states.view(conversation_id)
        if current.state not in (EscalationState.WAITING, EscalationState.HUMAN):
            return Reply(say(PHRASES, "already_bot", lang), kind="handoff_state")
        _, event_id = await self.states.move(
            conversation_id, Action.HAND_BACK, client, "/bot", taken_by=None
        )
        await self.reminders.cancel(conversation_id)
        await self.desk.tell_staff(
            conversation_id,
            f"{client} went back to the bot; nothing more is relayed.",
            key=f"handoff:event:{event_id}",
        )
        return Reply(say(PHRASES, "back_to_bot", lang), kind="handoff_back")

    async def close(self, conversation_id: int, staff: str) -> EscalationView:
        view, event_id = await self.states.move(
            conversation_id, Action.CLOSE, staff, None, taken_by=None
        )
        await self.reminders.cancel(conversation_id)
        party = await self.desk.party(conversation_id)
        key = f"handoff:event:{event_id}"
        await self.desk.tell_client(
            party, Reply(say(PHRASES, "closed", party.lang, staff=staff)), key
        )
        await self.desk.tell_staff(conversation_id, f"{staff} closed this conversation.", key=key)
        return view

    async def reopen(self, conversation_id: int, actor: str) -> EscalationView:
        """A client writing into a closed conversation starts again with the bot."""
        view, _ = await self.states.move(conversation_id, Action.REOPEN, actor, None)
        return view

    async def open_ticket(self, conversation_id: int, staff: str) -> TicketView:
        """A ticket from the conversation: its project, the client's last words, the history."""
        party = await self.desk.party(conversation_id)
        current = await self.states.view(conversation_id)
        project = party.project(current.project_id)
        if project is None:
            raise InvalidInputError(f"{party.name} has no project on file; open the ticket by hand")
        question = await self.desk.last_question(conversation_id) or current.reason or "Escalation"
        history = "\n".join(await self.desk.history(party))
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
        await self.desk.tell_client(party, Reply(note, kind="handoff_ticket"), key)
        await self.desk.tell_staff(conversation_id, f"{staff} opened {ticket.ref} (P3).", key=key)
        return ticket

    def _already(self, view: EscalationView, lang: Lang) -> Reply:
        if not self.enabled:
            return Reply(say(PHRASES, "already_bot", lang), kind="handoff_state")
        if view.state is EscalationState.HUMAN and view.taken_by:
            return Reply(
                say(PHRASES, "already_human", lang, staff=view.taken_by), kind="handoff_state"
            )
        return Reply(say(PHRASES, "already_waiting", lang), kind="handoff_state")

    async def _taken_by_reply(self, conversation_id: int, staff: str) -> EscalationView:
        """A staff reply takes a waiting conversation; the signed reply tells the client who."""
        return await self.take(conversation_id, staff, tell_client=False)
