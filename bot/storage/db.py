"""The async database handle: one engine, sessions as units of work, SQLite tuned for one writer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import DatabaseError, os_reason


class Database:
    """Wraps an AsyncEngine; `session()` yields a unit of work committed on success."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 10,
        pool_timeout: float = 30.0,
    ) -> None:
        """Pool sizes bound how many connections one process opens (settings `db_pool_*`);
        waiting longer than `pool_timeout` for one raises, so intake can answer 503."""
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
        if self.dialect == "sqlite":
            ensure_sqlite_dir(url)
            memory = ":memory:" in url or "mode=memory" in url
            self.engine: AsyncEngine = create_async_engine(
                url,
                connect_args={"timeout": 30},
                pool_pre_ping=False,
                **({} if memory else pool),
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(url, pool_pre_ping=True, **pool)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def reach(self) -> None:
        """Open a connection and close it; DatabaseError saying where and why when that fails."""
        try:
            if self.dialect == "sqlite":
                # A failed aiosqlite open leaves its thread calling into a closed event loop
                # (a stray traceback at exit), so SQLite is tried with the standard module.
                await asyncio.to_thread(_open_sqlite, self.url)
            else:
                async with self.engine.connect():
                    pass
        except (DBAPIError, sqlite3.Error, OSError) as exc:
            raise unreachable(self.url, exc) from None

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def ping(self, seconds: float = 2.0) -> None:
        """Raise when the database does not answer `SELECT 1` within `seconds`."""
        async with asyncio.timeout(seconds), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


def is_transient(exc: BaseException) -> bool:
    """An error of the database's availability (gone, restarting, pool exhausted), not of
    the request: the work should be retried rather than answered with an error."""
    if isinstance(exc, OperationalError | InterfaceError | SATimeoutError | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


T = TypeVar("T")


async def get_or_add(session: AsyncSession, query: Select[T], make: Callable[[], T]) -> T:
    """The row `query` finds, else `make()` inserted in a savepoint. When a concurrent insert
    wins the unique constraint (a double click, two workers), the winner's row is read back."""
    found = await session.scalar(query)
    if found is not None:
        return found
    row = make()
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        again = await session.scalar(query)
        if again is None:
            raise
        return again
    return row


def location(url: str) -> str:
    """Where a database URL points, without credentials: the SQLite file, or host:port."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "the configured URL"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    host = parsed.host or "localhost"
    return f"{f'[{host}]' if ':' in host else host}:{parsed.port or 5432}"


def unreachable(url: str, exc: BaseException) -> DatabaseError:
    """The error for a database that cannot be opened: where, and the first line of why."""
    reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = os_reason(reason) if isinstance(reason, OSError) else str(reason)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return DatabaseError(
        f"cannot reach the database at {location(url)}: {first or type(reason).__name__}"
    )


def ensure_sqlite_dir(url: str) -> None:
    path = _sqlite_file(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise unreachable(url, exc) from None


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or a `file:` URI."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        return Path(path.split("?", 1)[0])
    return None


def _open_sqlite(url: str) -> None:
    path = _sqlite_file(url)
    if path is None:
        return
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA schema_version")  # fails on a file that is no database
    finally:
        connection.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
