"""Console adapter: typed lines become IncomingMessages; buttons become numbered choices."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.core.directory import contact_by_handle
from bot.core.errors import NotFoundError
from bot.core.messages import Address, Button, Channel, IncomingMessage, Reply
from bot.storage.models import ChannelIdentity, Contact


class ConsoleSession:
    """One person chatting from the terminal as a known contact (or anonymously)."""

    def __init__(self, app: App, handle: str) -> None:
        self._app = app
        self.handle = handle
        self.user_id = handle
        self.display_name = handle
        self._choices: tuple[Button, ...] = ()
        self._pushes: list[Reply] = []

    @property
    def address(self) -> Address:
        return Address(Channel.CONSOLE, "", f"console:{self.user_id}")

    async def start(self, *, guest_if_missing: bool = False) -> None:
        """Use the contact's console identity, linking one if the contact has none yet. With
        `guest_if_missing`, a handle no contact has chats as an unlinked guest (a fresh install
        without demo data: the knowledge base answers; tickets and surveys need a contact)."""
        async with self._app.db.session() as session:
            try:
                contact: Contact = await contact_by_handle(session, self.handle)
            except NotFoundError:
                if not guest_if_missing:
                    raise
                self.user_id = f"guest/{self.handle}"
                self.display_name = f"{self.handle} (guest)"
                return
            identity = await session.scalar(
                select(ChannelIdentity).where(
                    ChannelIdentity.contact_id == contact.id,
                    ChannelIdentity.channel == Channel.CONSOLE,
                )
            )
            if identity is None:
                identity = ChannelIdentity(
                    contact_id=contact.id,
                    channel=Channel.CONSOLE,
                    workspace_id="",
                    user_id=f"{contact.client_id}/{contact.handle}",
                    created_at=self._app.clock.now(),
                )
                session.add(identity)
            self.user_id = identity.user_id
            self.display_name = contact.name

    async def say(self, line: str) -> list[Reply]:
        """Send one typed line; a bare number picks one of the last reply's buttons: the one
        labelled with that number (score buttons, 0-10), else the n-th."""
        line = line.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
        payload = None
        if line.isdecimal():  # not isdigit: int() refuses '²'
            labelled = [b for b in self._choices if b.label == line]
            if labelled:
                payload = labelled[0].payload
            elif len(line) <= 3 and 1 <= int(line) <= len(self._choices):
                choice = self._choices[int(line) - 1]
                payload, line = choice.payload, choice.label
        message = IncomingMessage(
            channel=Channel.CONSOLE,
            workspace_id="",
            chat_id=self.address.chat_id,
            sender_id=self.user_id,
            sender_name=self.display_name,
            text=line,
            button_payload=payload,
            received_at=datetime.now(UTC),
        )
        # What arrived while the client was away (a staff reply, a ticket update) comes first.
        waiting = await self._take_pushes()
        replies = await self._app.engine.handle(message)
        # The console is a single process: due jobs (follow-ups, surveys) run between turns.
        await self._app.scheduler.run_due()
        replies = waiting + replies + await self._take_pushes()
        buttons = [r.buttons for r in replies if r.buttons]
        self._choices = buttons[-1] if buttons else ()
        return replies

    async def _take_pushes(self) -> list[Reply]:
        await self._app.outbox.deliver(
            {Channel.CONSOLE: self}, limit=100, chat_id=self.address.chat_id
        )
        pushes, self._pushes = self._pushes, []
        return pushes

    async def send(self, address: Address, reply: Reply) -> str | None:
        """Outbox Sender for the console: pushes to this chat are shown after the reply."""
        if address.chat_id == self.address.chat_id:
            self._pushes.append(reply)
            return f"console-push-{len(self._pushes)}"
        raise LookupError(f"no console open for {address.chat_id}")


def render(reply: Reply) -> str:
    """A reply as plain text: body, numbered choices, then its sources."""
    lines = [reply.text]
    if reply.buttons and all(b.label.isdigit() for b in reply.buttons):
        lines.append("  [" + "] [".join(b.label for b in reply.buttons) + "]")
    else:
        for number, button in enumerate(reply.buttons, start=1):
            lines.append(f"  [{number}] {button.label}")
    for citation in reply.citations:
        lines.append(f"  Source: {citation.title} › {citation.section} ({citation.source})")
    return "\n".join(lines)
