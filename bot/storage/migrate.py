"""Run Alembic migrations (migrations/ at the repository root) against a database URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from sqlalchemy import Connection, inspect, text

from bot.core.errors import ConfigError, DatabaseError
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


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema up to `revision`; safe to run on every start."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "heads") -> None:
    """`upgrade`, after checking that the database can be reached at all (DatabaseError)."""
    db = Database(url)
    try:
        await db.reach()
    finally:
        await db.dispose()
    # Alembic's env.py runs its own event loop; keep it off the caller's.
    await asyncio.to_thread(upgrade, url, revision)


def head_revisions() -> set[str]:
    """Every head: features add their tables on branches of their own from 0001."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = set(script.get_heads())
    if not heads:
        raise ConfigError("no migrations found")
    return heads


def applied_revisions(current: set[str]) -> set[str]:
    """Every revision a database at `current` has: the recorded tips, their ancestors and the
    revisions they depend on (Alembic records only tips, so 0002 under `depends_on` is implied).
    Empty when `current` names a revision this code does not know."""
    if not current:
        return set()
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return {r.revision for r in script.iterate_revisions(tuple(sorted(current)), "base")}
    except ResolutionError:
        return set()


async def ensure_current(db: Database) -> None:
    """Refuse to run on a database that cannot be reached, or whose schema is missing or
    behind the code; the two say different things."""
    await db.reach()
    async with db.engine.connect() as connection:
        current = await connection.run_sync(_recorded_revisions)
    if not head_revisions() <= applied_revisions(current):
        raise DatabaseError(
            "the database schema is not up to date: run `aftercare db upgrade`"
            + (f" (at {', '.join(sorted(current))})" if current else "")
        )


def _recorded_revisions(connection: Connection) -> set[str]:
    if not inspect(connection).has_table("alembic_version"):
        return set()
    return {
        str(row[0]) for row in connection.execute(text("SELECT version_num FROM alembic_version"))
    }
