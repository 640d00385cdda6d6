"""Shared CLI plumbing: settings, logging, the app's lifetime, errors as one line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.app import App, build_app
from bot.core.errors import AftercareError, ConfigError
from bot.core.logs import configure_logging
from bot.core.settings import Settings

T = TypeVar("T")


def settings(*, log_file: Callable[[Settings], Path] | None = None) -> Settings:
    """Settings from the environment and `.env`; a bad value is a ConfigError naming it.
    Logs go to stderr, or to the file `log_file` names."""
    try:
        loaded = Settings()
    except ValidationError as exc:
        raise ConfigError(_setting_problem(exc)) from None
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
    target = log_file(loaded) if log_file is not None else None
    configure_logging(loaded.log_level, loaded.log_json, secrets, to_file=target)
    return loaded


@asynccontextmanager
async def opened_app(config: Settings, *, with_kb: bool = False) -> AsyncIterator[App]:
    """The app for one CLI command; `with_kb` opens the knowledge base (chat, serve, run,
    worker; not admin commands)."""
    app = await build_app(config, with_kb=with_kb)
    try:
        yield app
    finally:
        await app.close()


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; an AftercareError, a database error or an OSError from anywhere in it
    becomes one line on stderr and exit code 1."""
    try:
        return asyncio.run(_call(work))
    except AftercareError as exc:
        # Whole: a knowledge-base error lists every problem, one per line.
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except DBAPIError as exc:
        _exit(f"database: {exc.orig if exc.orig is not None else exc}")
    except SQLAlchemyError as exc:
        _exit(f"database: {exc}")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename is not None else ""
        _exit(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def _exit(message: str) -> NoReturn:
    first = next((line.strip() for line in message.splitlines() if line.strip()), "failed")
    typer.echo(f"error: {first}", err=True)
    raise typer.Exit(1)


def _setting_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = "_".join(str(part) for part in error["loc"]).upper()
    return f"AFTERCARE_{name}: {error['msg']}" if name else str(error["msg"])


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    sys.exit(1)
