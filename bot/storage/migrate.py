"""Run Alembic migrations (migrations/ at the repository root) against a database URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.errors import ConfigError, DatabaseError
from bot.storage.db import Database, ensure_sqlite_dir

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise ConfigError(
            f"migrations not found at {MIGRATIONS_DIR}; install Aftercare from its source tree "
            "(pip install -e .)"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to run on every start."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    # Alembic's env.py runs its own event loop; keep it off the caller's.
    await asyncio.to_thread(upgrade, url, revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    if head is None:
        raise ConfigError("no migrations found")
    return head


async def ensure_current(db: Database) -> None:
    """Refuse to run on a schema that is missing or behind the code."""
    try:
        async with db.engine.connect() as connection:
            current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except (OperationalError, ProgrammingError):
        current = None
    except OSError as exc:
        raise DatabaseError(f"cannot reach the database: {exc}") from None
    if current != head_revision():
        raise DatabaseError(
            "the database schema is not up to date: run `aftercare db upgrade`"
            + (f" (at {current})" if current else "")
        )
