"""Drain 10,000 due jobs with 2 worker processes on PostgreSQL: seconds and duplicates.

Needs AFTERCARE_TEST_POSTGRES_URL (or --url); works in a throwaway schema. Prints JSON:
jobs, workers, seconds_to_drain, jobs_per_second, duplicates, per_worker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.scheduler_worker import seed, tally
from bot.core.settings import normalise_database_url
from bot.storage.migrate import upgrade

WORKER = Path(__file__).resolve().parent / "scheduler_worker.py"


async def _exec(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get("AFTERCARE_TEST_POSTGRES_URL"))
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    if not args.url:
        sys.exit("set AFTERCARE_TEST_POSTGRES_URL or pass --url")
    base = normalise_database_url(args.url, Path())
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_exec(base, f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    idle = 1.0
    try:
        upgrade(url)
        asyncio.run(seed(url, args.jobs))
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(WORKER),
                    url,
                    f"w{n}",
                    "--batch",
                    str(args.batch),
                    "--idle",
                    str(idle),
                ],
                stdout=subprocess.DEVNULL,
            )
            for n in range(args.workers)
        ]
        for proc in procs:
            proc.wait()
        # Each worker exits after `idle` seconds with nothing due; that wait is not draining.
        seconds = time.perf_counter() - started - idle
        result = asyncio.run(tally(url))
    finally:
        asyncio.run(_exec(base, f'DROP SCHEMA "{schema}" CASCADE'))
    print(
        json.dumps(
            {
                "jobs": args.jobs,
                "workers": args.workers,
                "batch": args.batch,
                "seconds_to_drain": round(seconds, 2),
                "jobs_per_second": round(args.jobs / seconds, 1),
                "runs": result.runs,
                "duplicates": result.runs - result.distinct,
                "not_run": args.jobs - result.distinct,
                "job_states": result.states,
                "per_worker": result.by_worker,
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
