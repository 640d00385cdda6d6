"""The migrations create exactly what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.migrate import applied_revisions, head_revisions, upgrade
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


async def _query(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def test_kb_indexes_upgrade_a_database_made_at_the_earlier_heads(empty_database_url: str) -> None:
    url = empty_database_url
    for revision in sorted(head_revisions() - {"0012"}):
        upgrade(url, revision)
    asyncio.run(
        _query(
            url,
            "INSERT INTO clients (name, code, created_at) VALUES ('Acme', 'ACME', '2026-03-02')",
        )
    )
    recorded = asyncio.run(_query(url, "SELECT version_num FROM alembic_version"))
    assert "0012" not in applied_revisions({str(r[0]) for r in recorded})

    upgrade(url)

    recorded = asyncio.run(_query(url, "SELECT version_num FROM alembic_version"))
    assert head_revisions() <= applied_revisions({str(r[0]) for r in recorded})
    assert asyncio.run(_query(url, "SELECT count(*) FROM kb_indexes")) == [(0,)]
    assert asyncio.run(_query(url, "SELECT code FROM clients")) == [("ACME",)]
