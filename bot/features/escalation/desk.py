"""Escalation's two audiences: who and where the client is (the conversation, contact, client
and projects), the staff thread that sums it up, and how each side is told (the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.core.errors import NotFoundError
from bot.core.i18n import Lang, lang_of
from bot.core.localtime import local_time
from bot.core.messages import Address, Button, Reply
from bot.core.protocols import Outbox
from bot.core.staff import StaffChannel
from bot.features.tickets.service import OPEN_STATUSES, TicketService
from bot.storage.db import Database
from bot.storage.models import Client, Contact, Conversation, Message, Project

HISTORY = 8
STAFF_PREFIX = "handoff"  # the payload prefix of staff-channel buttons (posted ones keep it)
_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}


def thread_key(conversation_id: int) -> str:
    """The staff-channel thread of a conversation (one per conversation, every escalation)."""
    return f"conv:{conversation_id}"


def conversation_of(key: str) -> int | None:
    prefix, _, number = key.partition(":")
    return int(number) if prefix == "conv" and number.isdigit() else None


@dataclass(frozen=True)
class Party:
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


class Desk:
    def __init__(
        self, db: Database, outbox: Outbox, staff: StaffChannel, tickets: TicketService
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._staff = staff
        self._tickets = tickets

    async def client_name(self, conversation_id: int, fallback: str) -> str:
        """The linked contact's name, else what the channel called the sender."""
        party = await self.party(conversation_id)
        return party.contact.name if party.contact else fallback

    async def party(self, conversation_id: int) -> Party:
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
            return Party(conversation, contact, client, projects)

    async def summary(
        self, party: Party, project: Project | None, reason: str, answer_by: datetime | None
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
        history = await self.history(party)
        if history:
            lines.append("Last messages:")
            lines += [f"  {line}" for line in history]
        lines.append("Reply in this thread to answer the client.")
        return "\n".join(lines)

    async def history(self, party: Party) -> list[str]:
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

    async def last_question(self, conversation_id: int) -> str | None:
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

    async def tell_client(self, party: Party, reply: Reply, key: str) -> bool:
        return await self._outbox.enqueue(
            party.address, reply, conversation_id=party.conversation.id, key=f"{key}:client"
        )

    async def tell_staff(
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


def staff_buttons(conversation_id: int, *, take: bool, back: bool = True) -> tuple[Button, ...]:
    """A conversation's buttons in the staff thread (staff.py acts on their clicks)."""
    buttons = [Button("Take it", f"{STAFF_PREFIX}:take:{conversation_id}")] if take else []
    if back:
        buttons.append(Button("Hand back to the bot", f"{STAFF_PREFIX}:back:{conversation_id}"))
    buttons.append(Button("Open a ticket", f"{STAFF_PREFIX}:ticket:{conversation_id}"))
    return tuple(buttons)
