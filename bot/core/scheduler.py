"""The durable scheduler: jobs are rows first; any number of workers claim the due ones.

Claiming takes a lease (`locked_until`); a worker that dies mid-batch loses nothing, because an
expired lease makes its jobs claimable again. Handlers therefore run at least once and must be
idempotent (derive outbox keys from the job key). Failures retry with backoff and dead-letter
after `max_attempts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.protocols import Clock
from bot.storage.db import Database
from bot.storage.models_jobs import JobRow

log = logging.getLogger(__name__)


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Job:
    """What a handler is given: the job as it was claimed."""

    id: int
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    key: str | None


@dataclass(frozen=True)
class JobInfo:
    """A job as `aftercare jobs list` shows it."""

    id: int
    kind: str
    key: str | None
    state: str
    due_at: datetime
    attempts: int
    last_error: str | None


JobHandler = Callable[[Job], Awaitable[None]]


class Jobs(Protocol):
    """The part of Scheduler that features use (surveys, handoff, ...): fakes implement this."""

    def register(self, kind: str, handler: JobHandler) -> None: ...

    async def schedule(
        self,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        *,
        key: str | None = None,
        replace: bool = False,
    ) -> bool: ...

    async def cancel(self, key: str) -> bool: ...

    async def cancel_prefix(self, prefix: str) -> int: ...


def next_occurrence(due_at: datetime, period: timedelta, now: datetime) -> datetime:
    """The first `due_at + k * period` after `now` (k >= 1): a recurring job that missed
    several periods during downtime runs once, then resumes its cadence."""
    if period <= timedelta(0):
        raise InvalidInputError("a recurring period must be positive")
    nxt = due_at + period
    if nxt <= now:
        missed = (now - nxt) // period + 1
        nxt += missed * period
    return nxt


def _recurring_key(kind: str) -> str:
    return f"every:{kind}"


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Scheduler:
    """Schedules, claims and runs jobs. Handlers are registered by kind in bot/app.py."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        max_attempts: int = 5,
        lease: timedelta = timedelta(minutes=5),
        worker_id: str | None = None,
        concurrency: int | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._handlers: dict[str, JobHandler] = {}
        self._recurring: dict[str, timedelta] = {}
        self.max_attempts = max_attempts
        self.lease = lease
        self.worker_id = worker_id or default_worker_id()
        # Handlers wait on the database and the network; SQLite has one writer anyway.
        self.concurrency = concurrency or (1 if db.dialect == "sqlite" else 4)

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"a handler for job kind {kind!r} is registered already")
        self._handlers[kind] = handler

    def every(self, kind: str, period: timedelta, handler: JobHandler) -> None:
        """Register a recurring job: it runs once per `period`; after downtime it runs once
        and resumes its cadence (see next_occurrence). `ensure_recurring` seeds it."""
        if period <= timedelta(0):
            raise ValueError("a recurring period must be positive")

        async def run_and_reschedule(job: Job) -> None:
            await handler(job)
            nxt = next_occurrence(job.due_at, period, self._clock.now())
            await self.schedule(kind, job.payload, nxt, key=_recurring_key(kind), replace=True)

        self.register(kind, run_and_reschedule)
        self._recurring[kind] = period

    async def ensure_recurring(self) -> None:
        """Make sure each recurring kind has its job (idempotent; every worker calls it)."""
        now = self._clock.now()
        for kind in self._recurring:
            await self.schedule(kind, {}, now, key=_recurring_key(kind))

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))

    async def schedule(
        self,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        *,
        key: str | None = None,
        replace: bool = False,
    ) -> bool:
        """Add a job; with `key`, an existing job keeps its place unless `replace` moves it.

        Returns True when a job was added or moved.
        """
        if due_at.tzinfo is None:
            raise InvalidInputError("due_at must be timezone-aware")
        if key is not None and len(key) > 200:
            raise InvalidInputError("job keys are at most 200 characters")
        now = self._clock.now()
        if key is not None:
            moved = await self._move(kind, payload, due_at, key, replace, now)
            if moved is not None:
                return moved
        row = JobRow(
            kind=kind,
            payload=payload,
            due_at=due_at,
            state=JobState.PENDING,
            attempts=0,
            last_error=None,
            key=key,
            locked_by=None,
            locked_until=None,
            created_at=now,
            updated_at=now,
            finished_at=None,
        )
        try:
            async with self._db.session() as session:
                session.add(row)
        except IntegrityError:
            if key is None:
                raise
            # Someone added the same key between our look and our insert.
            moved = await self._move(kind, payload, due_at, key, replace, now)
            return bool(moved)
        return True

    async def _move(
        self,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        key: str,
        replace: bool,
        now: datetime,
    ) -> bool | None:
        """None when no job has `key`; otherwise whether it was moved."""
        async with self._db.session() as session:
            row = await session.scalar(select(JobRow).where(JobRow.key == key))
            if row is None:
                return None
            if not replace:
                return False
            # A running job that is moved becomes pending again: the worker that holds it will
            # find its lease gone when it finishes and leave the new schedule in place.
            row.kind = kind
            row.payload = payload
            row.due_at = due_at
            row.state = JobState.PENDING
            row.attempts = 0
            row.last_error = None
            row.locked_by = None
            row.locked_until = None
            row.finished_at = None
            row.updated_at = now
            return True

    async def cancel(self, key: str) -> bool:
        """Cancel the pending job with `key`; False when there is none."""
        async with self._db.session() as session:
            result = await session.execute(
                update(JobRow)
                .where(JobRow.key == key, JobRow.state == JobState.PENDING)
                .values(state=JobState.CANCELLED, updated_at=self._clock.now())
            )
            return bool(getattr(result, "rowcount", 0))

    async def cancel_prefix(self, prefix: str) -> int:
        """Cancel every pending job whose key starts with `prefix`; returns how many."""
        if not prefix:
            raise InvalidInputError("a key prefix is needed")
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        async with self._db.session() as session:
            result = await session.execute(
                update(JobRow)
                .where(JobRow.key.like(pattern, escape="\\"), JobRow.state == JobState.PENDING)
                .values(state=JobState.CANCELLED, updated_at=self._clock.now())
            )
            return int(getattr(result, "rowcount", 0))

    async def claim(self, limit: int = 50) -> list[Job]:
        """Lease up to `limit` due jobs (and jobs whose lease expired) to this worker.

        One statement: UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING,
        so concurrent workers on PostgreSQL never claim the same row and SQLite stays atomic.
        """
        now = self._clock.now()
        due = (
            select(JobRow.id)
            .where(
                or_(
                    (JobRow.state == JobState.PENDING) & (JobRow.due_at <= now),
                    (JobRow.state == JobState.RUNNING) & (JobRow.locked_until < now),
                )
            )
            .order_by(JobRow.due_at, JobRow.id)
            .limit(limit)
        )
        statement = self._db.lease(
            JobRow,
            due,
            state=JobState.RUNNING,
            by=self.worker_id,
            until=now + self.lease,
            updated_at=now,
        ).returning(
            JobRow.id, JobRow.kind, JobRow.payload, JobRow.due_at, JobRow.attempts, JobRow.key
        )
        async with self._db.session() as session:
            rows = (await session.execute(statement)).all()
        jobs = [Job(r.id, r.kind, dict(r.payload), r.due_at, r.attempts, r.key) for r in rows]
        return sorted(jobs, key=lambda j: (j.due_at, j.id))

    async def run_due(self, limit: int = 50) -> int:
        """Claim and run one batch, up to `concurrency` jobs at a time; returns how many ran."""
        jobs = await self.claim(limit)
        if self.concurrency == 1:
            for job in jobs:
                await self._run(job)
            return len(jobs)
        gate = asyncio.Semaphore(self.concurrency)

        async def guarded(job: Job) -> None:
            async with gate:
                await self._run(job)

        await asyncio.gather(*(guarded(job) for job in jobs))
        return len(jobs)

    async def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            await handler(job)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("job failed", extra={"job": job.id, "kind": job.kind, "error": error})
            dead = handler is None or job.attempts >= self.max_attempts
            backoff = timedelta(seconds=min(3600, 30 * 2 ** (job.attempts - 1)))
            await self._finish(
                job,
                state=JobState.FAILED if dead else JobState.PENDING,
                error=error,
                due_at=None if dead else self._clock.now() + backoff,
            )
            return
        await self._finish(job, state=JobState.DONE, error=None, due_at=None)

    async def _finish(
        self, job: Job, *, state: JobState, error: str | None, due_at: datetime | None
    ) -> None:
        now = self._clock.now()
        values: dict[str, Any] = {
            "state": state,
            "last_error": error,
            "locked_by": None,
            "locked_until": None,
            "updated_at": now,
        }
        if due_at is not None:
            values["due_at"] = due_at
        if state in (JobState.DONE, JobState.FAILED):
            values["finished_at"] = now
        async with self._db.session() as session:
            # Only while we still hold the lease: a job rescheduled meanwhile keeps its schedule.
            await session.execute(
                update(JobRow)
                .where(
                    JobRow.id == job.id,
                    JobRow.state == JobState.RUNNING,
                    JobRow.locked_by == self.worker_id,
                    JobRow.attempts == job.attempts,
                )
                .values(**values)
            )

    async def jobs(
        self,
        *,
        state: JobState | None = None,
        kind: str | None = None,
        key_prefix: str | None = None,
        limit: int = 100,
    ) -> list[JobInfo]:
        """Jobs soonest first; `key_prefix` narrows to one subject (`project:7:checkin:`)."""
        query = select(JobRow).order_by(JobRow.due_at, JobRow.id).limit(limit)
        if state is not None:
            query = query.where(JobRow.state == state)
        if kind is not None:
            query = query.where(JobRow.kind == kind)
        if key_prefix is not None:
            query = query.where(JobRow.key.startswith(key_prefix, autoescape=True))
        async with self._db.session() as session:
            rows = await session.scalars(query)
            return [
                JobInfo(r.id, r.kind, r.key, r.state, r.due_at, r.attempts, r.last_error)
                for r in rows
            ]

    async def depth(self) -> dict[str, int]:
        """Jobs due and waiting, running, and dead-lettered (for /metrics)."""
        now = self._clock.now()
        async with self._db.session() as session:
            rows = await session.execute(
                select(JobRow.state, func.count())
                .where(
                    or_(
                        (JobRow.state == JobState.PENDING) & (JobRow.due_at <= now),
                        JobRow.state.in_((JobState.RUNNING, JobState.FAILED)),
                    )
                )
                .group_by(JobRow.state)
            )
            counts = {str(state): int(n) for state, n in rows.all()}
        return {
            "due": counts.get(JobState.PENDING, 0),
            "running": counts.get(JobState.RUNNING, 0),
            "failed": counts.get(JobState.FAILED, 0),
        }

    async def retry(self, job_id: int) -> JobInfo:
        """Put a failed (dead-lettered) job back in the queue, due now, with fresh attempts."""
        now = self._clock.now()
        async with self._db.session() as session:
            row = await session.get(JobRow, job_id)
            if row is None:
                raise NotFoundError(f"no job {job_id}")
            if row.state != JobState.FAILED:
                raise InvalidInputError(
                    f"job {job_id} is {row.state}; only failed jobs are retried"
                )
            row.state = JobState.PENDING
            row.attempts = 0
            row.due_at = now
            row.finished_at = None
            row.updated_at = now
            return JobInfo(row.id, row.kind, row.key, row.state, row.due_at, 0, row.last_error)

    async def retry_failed(self) -> int:
        async with self._db.session() as session:
            now = self._clock.now()
            result = await session.execute(
                update(JobRow)
                .where(JobRow.state == JobState.FAILED)
                .values(
                    state=JobState.PENDING, attempts=0, due_at=now, finished_at=None, updated_at=now
                )
            )
            return int(getattr(result, "rowcount", 0))


async def work(
    scheduler: Scheduler, stop: asyncio.Event, interval: float = 1.0, batch: int = 50
) -> None:
    """Run due jobs until `stop` is set; a failing round is logged, not fatal."""
    await scheduler.ensure_recurring()
    while not stop.is_set():
        try:
            ran = await scheduler.run_due(batch)
        except Exception:
            log.exception("scheduler round failed")
            ran = 0
        if ran == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
