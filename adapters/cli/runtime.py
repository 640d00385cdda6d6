"""Shared CLI plumbing: settings, logging, the app's lifetime, errors as one line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypeVar

import typer
from sqlalchemy.exc import DBAPIError

from bot.app import App, build_app
from bot.errors import AftercareError
from bot.knowledge.base import IndexedKnowledgeBase
from bot.logs import configure_logging
from bot.settings import Settings
from bot.storage.db import Database

T = TypeVar("T")


def settings() -> Settings:
    loaded = Settings()
    secrets = tuple(
        s.get_secret_value()
        for s in (
            loaded.slack_bot_token,
            loaded.slack_app_token,
            loaded.slack_signing_secret,
            loaded.telegram_token,
            loaded.telegram_webhook_secret,
        )
        if s is not None
    )
    configure_logging(loaded.log_level, loaded.log_json, secrets)
    return loaded


@asynccontextmanager
async def opened_app(config: Settings, *, with_kb: bool = False) -> AsyncIterator[App]:
    """The app for one CLI command; `with_kb` opens the knowledge base (chat, not admin),
    which reads published indexes through a database handle of its own."""
    async with AsyncExitStack() as stack:
        kb = None
        if with_kb:
            kb_db = Database(config.resolved_database_url)
            stack.push_async_callback(kb_db.dispose)
            kb = IndexedKnowledgeBase.from_settings(config, kb_db)
            stack.push_async_callback(kb.close)
        app = await build_app(config, kb=kb)
        stack.push_async_callback(app.close)
        yield app


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; an AftercareError becomes one line on stderr and exit code 1."""
    try:
        return asyncio.run(_call(work))
    except AftercareError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except DBAPIError as exc:
        typer.echo(f"error: database: {str(exc.orig).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    sys.exit(1)
