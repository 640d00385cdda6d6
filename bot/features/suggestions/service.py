"""Client suggestions: improvement ideas sent in chat (/suggest), kept against the project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.core.directory import client_by_ref
from bot.core.errors import InvalidInputError
from bot.core.protocols import Clock, Outbox
from bot.core.staff import StaffChannel
from bot.features.suggestions.models import Suggestion
from bot.storage.db import Database
from bot.storage.models import Client, Project


@dataclass(frozen=True)
class SuggestionView:
    id: int
    client: str
    project: str | None
    author: str
    text: str
    created_at: datetime


class SuggestionService:
    def __init__(
        self, db: Database, clock: Clock, outbox: Outbox, staff_channel: str | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._staff = StaffChannel(outbox, staff_channel)

    async def add(
        self,
        *,
        client_id: int,
        text: str,
        author: str,
        contact_id: int | None = None,
        conversation_id: int | None = None,
    ) -> SuggestionView:
        """Store an idea; it belongs to the client's project when the client has exactly one."""
        text = text.strip()
        if len(text) < 3:
            raise InvalidInputError("a suggestion needs a few words")
        async with self._db.session() as session:
            client = await session.get_one(Client, client_id)
            projects = list(
                await session.scalars(select(Project).where(Project.client_id == client_id))
            )
            project = projects[0] if len(projects) == 1 else None
            row = Suggestion(
                client_id=client_id,
                project_id=project.id if project else None,
                contact_id=contact_id,
                conversation_id=conversation_id,
                author=author[:200],
                text=text[:4000],
                created_at=self._clock.now(),
            )
            session.add(row)
            await session.flush()
            view = SuggestionView(
                row.id,
                client.code,
                project.name if project else None,
                row.author,
                row.text,
                row.created_at,
            )
        where = f"{view.client} / {view.project}" if view.project else view.client
        await self._staff.post(
            f"Suggestion #{view.id} from {view.author} ({where}): {view.text[:500]}",
            kind="suggestion_staff",
            key=f"suggestion:{view.id}",
        )
        return view

    async def find(
        self, *, project: str | None = None, client_ref: str | None = None
    ) -> list[SuggestionView]:
        """Suggestions, newest first; `project` matches a project name (any case)."""
        query = (
            select(Suggestion, Client.code, Project.name)
            .join(Client, Client.id == Suggestion.client_id)
            .outerjoin(Project, Project.id == Suggestion.project_id)
            .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
        )
        if project is not None:
            query = query.where(func.lower(Project.name) == project.strip().lower())
        async with self._db.session() as session:
            if client_ref is not None:
                client = await client_by_ref(session, client_ref)
                query = query.where(Suggestion.client_id == client.id)
            rows = (await session.execute(query)).all()
        return [
            SuggestionView(s.id, code, name, s.author, s.text, s.created_at)
            for s, code, name in rows
        ]
