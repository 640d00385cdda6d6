"""A scheduler worker process for the multi-worker test and benchmark.

Runs `bench.run` jobs: each records (job id, worker) in `job_runs`, then the scheduler marks it
done. With `--hang-after N` the worker stops making progress after N jobs while still holding its
claimed batch, so a test can kill it mid-batch. Exits when nothing is due for `--idle` seconds.

    python benchmarks/scheduler_worker.py URL WORKER_ID [--lease S] [--batch N] [--hang-after N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from bot.core.clock import SystemClock
from bot.core.scheduler import Job, Scheduler
from bot.storage.db import Database
from bot.storage.models_jobs import JobRow

CREATE_RUNS = "CREATE TABLE IF NOT EXISTS job_runs (job_id BIGINT NOT NULL, worker TEXT NOT NULL)"


async def seed(url: str, count: int) -> None:
    """`count` due `bench.run` jobs and an empty `job_runs` table."""
    db = Database(url)
    now = datetime.now(UTC) - timedelta(seconds=1)
    rows = [
        {
            "kind": "bench.run",
            "payload": {"n": n},
            "due_at": now,
            "state": "pending",
            "attempts": 0,
            "key": f"bench:{n}",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    try:
        async with db.session() as session:
            await session.execute(text(CREATE_RUNS))
            await session.execute(insert(JobRow), rows)
    finally:
        await db.dispose()


@dataclass(frozen=True)
class Tally:
    runs: int
    distinct: int
    by_worker: dict[str, int]
    states: dict[str, int]


async def tally(url: str) -> Tally:
    """How many times jobs ran, by whom, and the jobs' final states."""
    db = Database(url)
    try:
        async with db.session() as session:
            runs, distinct = (
                await session.execute(text("SELECT count(*), count(DISTINCT job_id) FROM job_runs"))
            ).one()
            by_worker = (
                await session.execute(text("SELECT worker, count(*) FROM job_runs GROUP BY worker"))
            ).all()
            states = (
                await session.execute(text("SELECT state, count(*) FROM jobs GROUP BY state"))
            ).all()
    finally:
        await db.dispose()
    return Tally(
        int(runs),
        int(distinct),
        {str(k): int(v) for k, v in by_worker},
        {str(k): int(v) for k, v in states},
    )


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("worker")
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--hang-after", type=int, default=None)
    parser.add_argument("--idle", type=float, default=2.0)
    args = parser.parse_args(argv)

    db = Database(args.url)
    scheduler = Scheduler(
        db, SystemClock(), lease=timedelta(seconds=args.lease), worker_id=args.worker
    )
    done = 0

    async def record(job: Job) -> None:
        nonlocal done
        if args.hang_after is not None and done >= args.hang_after:
            print("hanging", flush=True)
            await asyncio.sleep(3600)
        async with db.session() as session:
            await session.execute(
                text("INSERT INTO job_runs (job_id, worker) VALUES (:j, :w)"),
                {"j": job.id, "w": args.worker},
            )
        done += 1

    scheduler.register("bench.run", record)
    print("ready", flush=True)
    idle_since = time.monotonic()
    try:
        while time.monotonic() - idle_since < args.idle:
            if await scheduler.run_due(args.batch):
                idle_since = time.monotonic()
            else:
                await asyncio.sleep(0.05)
    finally:
        await db.dispose()
    print(f"done {done}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
