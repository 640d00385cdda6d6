"""Several worker processes on PostgreSQL: every due job runs exactly once; a worker killed
mid-batch loses nothing (its claimed jobs are taken over when the lease expires)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.scheduler_worker import seed, tally

WORKER = Path(__file__).resolve().parents[2] / "benchmarks" / "scheduler_worker.py"


def _spawn(url: str, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, name, *extra],
        stdout=subprocess.PIPE,
        text=True,
    )


def _wait_line(proc: subprocess.Popen[str], wanted: str, timeout: float = 60) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.strip().startswith(wanted):
            return
    raise AssertionError(f"worker never printed {wanted!r}")


# The multi-worker guarantee is PostgreSQL's (FOR UPDATE SKIP LOCKED); SQLite has one writer.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def pg_url(database_url: str) -> str:
    return database_url


def test_two_workers_run_each_of_1000_jobs_exactly_once(pg_url: str) -> None:
    asyncio.run(seed(pg_url, 1000))
    workers = [_spawn(pg_url, f"w{n}", "--batch", "25") for n in (1, 2)]
    for proc in workers:
        assert proc.wait(timeout=180) == 0
    result = asyncio.run(tally(pg_url))
    assert (result.runs, result.distinct) == (1000, 1000)
    assert result.states == {"done": 1000}


def test_a_worker_killed_mid_batch_loses_nothing(pg_url: str) -> None:
    asyncio.run(seed(pg_url, 1000))
    doomed = _spawn(pg_url, "doomed", "--batch", "100", "--hang-after", "30", "--lease", "3")
    _wait_line(doomed, "hanging")  # it holds a claimed batch it will never finish
    doomed.kill()
    doomed.wait(timeout=30)
    survivor = _spawn(pg_url, "survivor", "--lease", "3", "--idle", "5")
    assert survivor.wait(timeout=180) == 0
    result = asyncio.run(tally(pg_url))
    assert result.distinct == 1000  # every job ran
    # Only handlers in flight when it was killed (at most the worker's concurrency, 4) can run
    # twice: their effect was written but not yet marked done. Outbox keys absorb those.
    assert result.runs - result.distinct <= 4
    assert result.states == {"done": 1000}
