"""Fixtures: the app built from settings on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.settings import Settings, normalise_database_url
from bot.storage.migrate import upgrade
from bot.storage.schema import metadata
from tests.support.fakes import FakeKnowledgeBase

PG_ENV = "AFTERCARE_TEST_POSTGRES_URL"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def _pg_base() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_database_url(url, Path()) if url else None


async def _exec_pg(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests (fake platforms, a served app) never go through a proxy; test
    modules that talk HTTP use it with `pytest.mark.usefixtures("no_proxy")`."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test run; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "aftercare.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str | None]:
    """A fresh PostgreSQL schema for this test run, migrated once; None when not configured."""
    base = _pg_base()
    if base is None:
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_exec_pg(base, f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_exec_pg(base, f'DROP SCHEMA "{schema}" CASCADE'))


async def _empty_pg(url: str) -> None:
    """Back to a just-migrated state: every table emptied (ids restarted), test-made tables gone."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            names = {
                str(row[0])
                for row in await connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                )
            }
            for extra in sorted(names - set(metadata.tables) - {"alembic_version"}):
                await connection.execute(text(f'DROP TABLE "{extra}" CASCADE'))
            tables = ", ".join(f'"{name}"' for name in sorted(names & set(metadata.tables)))
            if tables:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_schema: str | None,
) -> Iterator[str]:
    """A migrated, empty database: a SQLite file per test, or this run's PostgreSQL schema,
    emptied after each test."""
    if request.param == "sqlite":
        path = tmp_path / "aftercare.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if postgres_schema is None:
        pytest.skip(f"{PG_ENV} is not set")
    try:
        yield postgres_schema
    finally:
        asyncio.run(_empty_pg(postgres_schema))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    base = _pg_base()
    if base is None:
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"e_{uuid.uuid4().hex[:12]}"
    asyncio.run(_exec_pg(base, f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        asyncio.run(_exec_pg(base, f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, database_url=database_url)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    return FakeKnowledgeBase()


@pytest.fixture
async def app(settings: Settings, clock: FakeClock, kb: FakeKnowledgeBase) -> AsyncIterator[App]:
    application = await build_app(settings, clock=clock, kb=kb)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def seeded(app: App) -> App:
    """ACME with project Portal and contacts alice (en) and wang (zh), both on the console."""
    await app.directory.add_client("Acme Corp", "ACME")
    await app.directory.add_project("ACME", "Portal", START.date(), 12, "gold", "Europe/Berlin")
    await app.directory.add_contact("ACME", "alice", "Alice Martin", lang="en")
    await app.directory.add_contact("ACME", "wang", "王伟", lang="zh")
    await app.directory.link("ACME", "alice", "console", "alice")
    await app.directory.link("ACME", "wang", "console", "wang")
    return app


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", database_url)
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return database_url
