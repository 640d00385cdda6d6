"""Finding a project by name from staff commands (`aftercare training add PORTAL`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import client_by_ref
from bot.core.errors import InvalidInputError, NotFoundError
from bot.storage.models import Client, Project


async def project_by_name(
    session: AsyncSession, name: str, client_ref: str | None = None
) -> Project:
    """A project by name (case-insensitive); `client_ref` picks one when clients share a name."""
    query = select(Project).where(func.lower(Project.name) == name.strip().lower())
    if client_ref is not None:
        client = await client_by_ref(session, client_ref)
        query = query.where(Project.client_id == client.id)
    found = list(await session.scalars(query.order_by(Project.id).limit(2)))
    if not found:
        raise NotFoundError(f"no project named {name.strip()!r}; see `aftercare project list`")
    if len(found) > 1:
        codes = await session.scalars(
            select(Client.code).where(Client.id.in_([p.client_id for p in found]))
        )
        raise InvalidInputError(
            f"several clients have a project {name.strip()!r} ({', '.join(codes)}): "
            "add --client CODE"
        )
    return found[0]
