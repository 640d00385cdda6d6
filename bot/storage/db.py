"""The async database handle: one engine, sessions as units of work, SQLite tuned for one writer."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, Update, event, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.core.errors import DatabaseError, os_reason


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
            # No pre-ping (a round trip per transaction): a connection the server dropped
            # fails its statement as a disconnect, SQLAlchemy then discards the whole pool,
            # and the work is retried (intake answers 503, a turn is processed again).
            self.engine = create_async_engine(url, pool_pre_ping=False, pool_recycle=1800, **pool)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._serial = asyncio.Lock() if self.dialect == "sqlite" else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction, committed when the block ends without an error."""
        async with self._one_at_a_time(), self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A Core transaction without the ORM session, for the hot paths (intake, outbox)."""
        async with self._one_at_a_time(), self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def _one_at_a_time(self) -> AsyncIterator[None]:
        """SQLite has one writer: concurrent transactions of one process would otherwise wait
        on its lock by sleeping and polling (busy_timeout), which collapses throughput under
        load. So on SQLite a process runs one transaction at a time, handed over in order; a
        transaction opened inside another by the same task does not wait for itself."""
        if self._serial is None or _holding.get():
            yield
            return
        async with self._serial:
            token = _holding.set(True)
            try:
                yield
            finally:
                _holding.reset(token)

    def lease(
        self, table: Any, due: Select[Any], *, state: str, by: str, until: datetime, **also: Any
    ) -> Update:
        """UPDATE `table` rows picked by `due` (a SELECT of ids) to `state`, held `by` a worker
        `until`, their attempt counted: one statement, UPDATE ... WHERE id IN (SELECT ... FOR
        UPDATE SKIP LOCKED), so concurrent workers on PostgreSQL never take the same row and
        SQLite stays atomic. Add `.returning(...)` for what the caller needs."""
        if self.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        return (
            update(table)
            .where(table.id.in_(due.scalar_subquery()))
            .values(
                state=state, attempts=table.attempts + 1, locked_by=by, locked_until=until, **also
            )
            .execution_options(synchronize_session=False)
        )

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


def insert_for(dialect: str, table: Any) -> Any:
    """INSERT into `table` in the dialect's own form, which knows ON CONFLICT (PostgreSQL or
    SQLite)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def is_transient(exc: BaseException) -> bool:
    """An error of the database's availability (gone, restarting, pool exhausted), not of
    the request: the work should be retried rather than answered with an error."""
    if isinstance(exc, OperationalError | InterfaceError | SATimeoutError | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


T = TypeVar("T")
# Whether the current task holds the SQLite transaction lock (see Database.session).
_holding: contextvars.ContextVar[bool] = contextvars.ContextVar("holding", default=False)


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
