"""`aftercare jobs list|retry` through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.core.clock import SystemClock
from bot.core.scheduler import Scheduler
from bot.storage.db import Database
from tests.support.cli import invoke


async def _dead_letter(url: str) -> int:
    """A job of a kind no worker knows: it fails for good on its first run."""
    db = Database(url)
    try:
        scheduler = Scheduler(db, SystemClock(), worker_id="test")
        await scheduler.schedule("test.orphan", {}, datetime.now(UTC), key="orphan:1")
        await scheduler.run_due()
        [job] = await scheduler.jobs()
        return job.id
    finally:
        await db.dispose()


def test_failed_jobs_are_listed_with_their_error_and_retried(cli_env: str) -> None:
    assert invoke("jobs", "list")[1].strip() == "no jobs"
    job_id = asyncio.run(_dead_letter(cli_env))
    code, out, _ = invoke("jobs", "list", "--failed")
    assert code == 0
    assert f"{job_id}\tfailed" in out and "orphan:1" in out and "no handler" in out
    assert invoke("jobs", "list", "--state", "pending")[1].strip() == "no jobs"
    code, out, _ = invoke("jobs", "retry", str(job_id))
    assert code == 0 and "queued again" in out
    assert f"{job_id}\tpending" in invoke("jobs", "list", "--state", "pending")[1]
    code, _, err = invoke("jobs", "retry", str(job_id))
    assert code == 1 and "only failed jobs are retried" in err


def test_bad_input_is_one_clear_line(cli_env: str) -> None:
    code, _, err = invoke("jobs", "list", "--state", "sleeping")
    assert code == 1 and "unknown state 'sleeping'" in err
    code, _, err = invoke("jobs", "retry")
    assert code == 1 and "give a job id or --all-failed" in err
    code, _, err = invoke("jobs", "retry", "424242")
    assert code == 1 and "no job 424242" in err
    code, out, _ = invoke("jobs", "retry", "--all-failed")
    assert code == 0 and "0 failed job(s) queued again" in out


async def _dead_event(url: str) -> int:
    """An inbound event that failed on its only allowed attempt."""
    from bot.core.intake import Intake

    db = Database(url)
    try:
        intake = Intake(db, SystemClock(), worker_id="test", max_attempts=1)
        await intake.record("slack", "slack:event:EvDead", "slack:D1", {"secret": "body"})
        [event] = await intake.claim(["slack"])
        assert await intake.fail(event, "RuntimeError: listener failed")
        return event.id
    finally:
        await db.dispose()


def test_dead_events_are_listed_without_their_body_and_retried(cli_env: str) -> None:
    assert invoke("events", "list")[1].strip() == "no events"
    event_id = asyncio.run(_dead_event(cli_env))
    code, out, _ = invoke("events", "list", "--dead")
    assert code == 0
    assert f"{event_id}\tdead" in out and "slack:event:EvDead" in out
    assert "listener failed" in out and "secret" not in out
    code, out, _ = invoke("events", "retry", str(event_id))
    assert code == 0 and "1 event(s) queued again" in out
    code, _, err = invoke("events", "retry", str(event_id))
    assert code == 1 and "not dead-lettered" in err
    code, _, err = invoke("events", "list", "--state", "sleeping")
    assert code == 1 and "unknown state 'sleeping'" in err
