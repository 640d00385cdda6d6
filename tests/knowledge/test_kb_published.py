"""Indexes through the database: `aftercare index` publishes a build, replicas with no shared disk
load the newest, pick up a newer one, and keep answering while the database is away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.engine import make_url

from bot.knowledge.base import IndexedKnowledgeBase
from bot.knowledge.published import fetch, pack, publish
from bot.storage.db import Database
from bot.storage.models_kb import KbIndexRow
from tests.support.kb import build, edit, embedder, write_kb

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOURS = "When is support available?"


def kb_logs(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.knowledge.base" and r.levelno == level
    ]


@contextlib.asynccontextmanager
async def replica(
    root: Path, db: Database, recheck: float = 0.0, *, index_dir: Path | None = None
) -> AsyncIterator[IndexedKnowledgeBase]:
    """A KB on another machine: its own data dir with no KB files, no index built there unless
    `index_dir` says where one is."""
    kb = IndexedKnowledgeBase(
        index_dir or root / "index",
        None,
        embedder(),
        answer_threshold=0.75,
        suggest_threshold=0.45,
        recheck_seconds=recheck,
        db=db,
        published_dir=root / "published-index",
    )
    try:
        yield kb
    finally:
        await kb.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@contextlib.asynccontextmanager
async def unreachable() -> AsyncIterator[Database]:
    database = Database("postgresql+psycopg://postgres@127.0.0.1:9/nowhere")
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def builder(tmp_path: Path) -> tuple[Path, Path]:
    """The machine that runs `aftercare index`: its KB and index directories, built once."""
    kb_dir, out = write_kb(tmp_path / "builder" / "kb"), tmp_path / "builder" / "index"
    build(kb_dir, out)
    return kb_dir, out


async def _rows(db: Database) -> list[int]:
    async with db.session() as session:
        return list(await session.scalars(select(KbIndexRow.id).order_by(KbIndexRow.id)))


async def test_a_replica_answers_from_the_published_index(
    db: Database, builder: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = builder
    done = await publish(db, out, now=NOW)
    assert done.new
    shutil.rmtree(out.parent)  # nothing of the builder's disk is left to read
    async with replica(tmp_path / "replica", db) as kb:
        result = await kb.lookup(HOURS, "en")
        served = await kb.served()
    assert result.hits[0].article_id == "support-hours" and "18:00" in result.hits[0].text
    assert served.published_id == done.id
    assert served.directory.parent == tmp_path / "replica" / "published-index"
    assert not (served.directory / "cache").exists()  # the embedding cache is not shipped
    assert not (tmp_path / "replica" / "index").exists()


async def test_a_newer_publish_is_picked_up_and_checks_are_rate_limited(
    db: Database, database_url: str, builder: tuple[Path, Path], tmp_path: Path
) -> None:
    kb_dir, out = builder
    first = await publish(db, out, now=NOW)
    own = Database(database_url)  # the replica's handle, so only its queries are counted
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(own.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with replica(tmp_path / "replica", own, recheck=3600) as kb:
            for _ in range(5):
                assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
            assert len(statements) == 2  # the newest id, then its archive, once
            edit(kb_dir / "support/support-hours.en.md", "18:00", "17:30")
            build(kb_dir, out)
            second = await publish(db, out, now=NOW)
            assert second.id > first.id
            for _ in range(5):  # the next check is not due: no query, the old index answers
                assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
            assert len(statements) == 2
            await kb.refresh()
            assert len(statements) == 4
            assert "17:30" in (await kb.lookup(HOURS, "en")).hits[0].text
            assert (await kb.served()).published_id == second.id
    finally:
        await own.dispose()
    unpacked = sorted(p.name for p in (tmp_path / "replica" / "published-index").iterdir())
    assert [name.split("-")[0] for name in unpacked] == [str(second.id)]  # the old one pruned


async def test_publish_skips_an_unchanged_build_and_keeps_the_last_three(
    db: Database, builder: tuple[Path, Path]
) -> None:
    kb_dir, out = builder
    first = await publish(db, out, now=NOW)
    build(kb_dir, out)  # same content, a new build time
    again = await publish(db, out, now=NOW)
    assert (again.id, again.new) == (first.id, False)
    for minutes in ("10", "20", "30"):
        edit(kb_dir / "support/support-hours.en.md", "18:", f"18:{minutes} or 18:")
        build(kb_dir, out)
        assert (await publish(db, out, now=NOW)).new
    assert len(await _rows(db)) == 3
    assert first.id not in await _rows(db)
    archive = await fetch(db, (await _rows(db))[-1])
    assert archive is not None and archive == pack(out)[0]


async def test_with_nothing_published_the_local_build_is_served(
    db: Database, builder: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = builder
    async with replica(tmp_path / "builder", db, index_dir=out) as kb:
        await kb.lookup(HOURS, "en")
        assert (await kb.served()).directory == out
        done = await publish(db, out, now=NOW)
        await kb.refresh()
        assert (await kb.served()).published_id == done.id


async def test_a_corrupt_publish_is_skipped_and_the_served_index_stays(
    db: Database, builder: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb_dir, out = builder
    first = await publish(db, out, now=NOW)
    async with replica(tmp_path / "replica", db) as kb:
        await kb.lookup(HOURS, "en")
        edit(kb_dir / "support/support-hours.en.md", "18:00", "17:30")
        build(kb_dir, out)
        second = await publish(db, out, now=NOW)
        async with db.session() as session:
            await session.execute(
                update(KbIndexRow).where(KbIndexRow.id == second.id).values(archive=b"not a tar")
            )
        for _ in range(3):
            await kb.refresh()
        assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
        assert (await kb.served()).published_id == first.id
    [warning] = kb_logs(caplog)
    assert f"published index for {second.id}-" in warning and "still answering" in warning


async def test_an_unreachable_database_falls_back_to_this_disk(
    builder: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, out = builder
    async with unreachable() as down, replica(tmp_path / "builder", down, index_dir=out) as kb:
        assert (await kb.lookup(HOURS, "en")).hits
        await kb.refresh()
        assert (await kb.served()).directory == out
    [warning] = kb_logs(caplog)
    assert "cannot look for a newer index in the database" in warning


async def test_a_restart_while_the_database_is_down_serves_the_last_unpacked_build(
    db: Database, builder: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = builder
    done = await publish(db, out, now=NOW)
    async with replica(tmp_path / "replica", db) as kb:
        await kb.lookup(HOURS, "en")
    async with unreachable() as down, replica(tmp_path / "replica", down) as restarted:
        assert (await restarted.lookup(HOURS, "en")).hits[0].article_id == "support-hours"
        assert (await restarted.served()).published_id == done.id


class _Proxy:
    """A TCP relay to the database that a test can switch off and on: the network going away."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._relays: set[asyncio.Task[Any]] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._relays, return_exceptions=True)
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}
        self._relays.discard(task)


async def test_the_database_going_away_keeps_the_served_index(
    db: Database,
    database_url: str,
    builder: tuple[Path, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("a database that goes away is a server; SQLite is a file")
    caplog.set_level(logging.INFO, logger="bot.knowledge.base")
    kb_dir, out = builder
    await publish(db, out, now=NOW)
    url = make_url(database_url)
    proxy = _Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.up()
    through = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    try:
        async with replica(tmp_path / "replica", through) as kb:
            assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
            await proxy.down()
            edit(kb_dir / "support/support-hours.en.md", "18:00", "17:30")
            build(kb_dir, out)
            second = await publish(db, out, now=NOW)
            for _ in range(3):
                await kb.refresh()
                assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
            [warning] = kb_logs(caplog)
            assert "cannot look for a newer index in the database" in warning
            assert "still answering from published index" in warning
            await proxy.up()
            await kb.refresh()
            assert "17:30" in (await kb.lookup(HOURS, "en")).hits[0].text
            assert (await kb.served()).published_id == second.id
        assert any("can be read again" in m for m in kb_logs(caplog, logging.INFO))
    finally:
        await through.dispose()
        await proxy.down()
