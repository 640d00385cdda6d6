"""Builders shared by the survey tests: a resolved ticket from a real chat, the outbox rows."""

from __future__ import annotations

from sqlalchemy import select

from adapters.console.chat import ConsoleSession
from bot.app import App
from bot.features.surveys.models import Survey
from bot.storage.models import OutboxItem


async def chat_as(app: App, handle: str) -> ConsoleSession:
    session = ConsoleSession(app, handle)
    await session.start()
    return session


async def open_ticket(session: ConsoleSession, title: str = "CSV export fails") -> str:
    for line in ("/ticket", title, "Clicking Export gives a 500 error"):
        await session.say(line)
    created = await session.say("3")  # P3
    assert created[0].kind == "ticket_created", created
    return created[0].meta["ticket"]


async def resolved_ticket(
    app: App, session: ConsoleSession, title: str = "CSV export fails"
) -> str:
    ref = await open_ticket(session, title)
    await app.tickets.resolve(ref, "bob", "Fixed")
    return ref


async def outbox(app: App, key_prefix: str = "") -> list[OutboxItem]:
    async with app.db.session() as session:
        rows = await session.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [r for r in rows if (r.idempotency_key or "").startswith(key_prefix)]


async def surveys(app: App) -> list[Survey]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Survey).order_by(Survey.id)))
