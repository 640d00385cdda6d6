"""Composition root: builds the engine and its services from settings, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import SystemClock
from bot.commands import help_command, not_configured
from bot.conversations import SqlStore
from bot.directory import Directory
from bot.engine import Engine, Routes
from bot.faq import Faq
from bot.outbox import SqlOutbox
from bot.protocols import Clock, KnowledgeBase
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.migrate import ensure_current


@dataclass
class App:
    """Everything a running Aftercare needs; adapters receive this, never globals."""

    settings: Settings
    db: Database
    clock: Clock
    store: SqlStore
    outbox: SqlOutbox
    directory: Directory
    kb: KnowledgeBase | None
    engine: Engine

    async def close(self) -> None:
        await self.db.dispose()


def build_routes(faq: Faq) -> Routes:
    routes = Routes()
    routes.commands["help"] = help_command
    routes.commands["start"] = help_command
    routes.commands["human"] = not_configured("talking to a person", "转人工")
    routes.commands["ticket"] = not_configured("tickets", "工单")
    routes.commands["status"] = not_configured("ticket status", "工单查询")
    routes.buttons["kb"] = faq.choose
    routes.buttons["ticket"] = routes.commands["ticket"]
    routes.buttons["human"] = routes.commands["human"]
    routes.fallback = faq.answer
    return routes


async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    kb: KnowledgeBase | None = None,
    check_schema: bool = True,
) -> App:
    """Wire the core. `kb` overrides the knowledge base (tests pass a fake)."""
    clock = clock or SystemClock()
    db = Database(settings.resolved_database_url)
    if check_schema:
        try:
            await ensure_current(db)
        except BaseException:
            await db.dispose()
            raise
    store = SqlStore(db, clock)
    outbox = SqlOutbox(db, clock)
    engine = Engine(store, clock, build_routes(Faq()), kb=kb, outbox=outbox)
    return App(settings, db, clock, store, outbox, Directory(db, clock), kb, engine)
