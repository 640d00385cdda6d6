"""The migrations create exactly what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.migrate import applied_revisions
from bot.storage.schema import metadata


def test_models_match_migrations(database_url: str) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return [
            d
            for d in compare_metadata(context, metadata)
            if d[0] != "remove_table" or d[1].name != "alembic_version"
        ]

    async def work() -> list[object]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(diff)
        finally:
            await engine.dispose()

    assert asyncio.run(work()) == []


def test_recorded_tips_imply_their_dependencies() -> None:
    # Alembic records 0006 (surveys) but not 0002 (tickets), which 0006 depends on.
    assert {"0001", "0002", "0006"} <= applied_revisions({"0006"})
    assert applied_revisions({"0004"}) == {"0001", "0004"}
    assert applied_revisions({"nope"}) == set()  # a newer schema than this code knows
