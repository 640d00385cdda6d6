"""The durable scheduler on SQLite and PostgreSQL, driven by a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.scheduler import Job, JobState, Scheduler, next_occurrence


def _worker(app: App, clock: FakeClock, name: str, **kwargs: object) -> Scheduler:
    return Scheduler(app.db, clock, worker_id=name, **kwargs)  # type: ignore[arg-type]


async def test_a_job_runs_once_when_due_and_not_before(app: App, clock: FakeClock) -> None:
    seen: list[Job] = []

    async def handler(job: Job) -> None:
        seen.append(job)

    app.scheduler.register("test.note", handler)
    assert await app.scheduler.schedule("test.note", {"n": 1}, clock.now() + timedelta(hours=2))
    assert await app.scheduler.run_due() == 0
    clock.advance(timedelta(hours=2))
    assert await app.scheduler.run_due() == 1
    assert await app.scheduler.run_due() == 0
    assert [j.payload for j in seen] == [{"n": 1}]
    [info] = await app.scheduler.jobs()
    assert info.state == JobState.DONE and info.attempts == 1


async def test_a_key_schedules_once_and_replace_moves_the_job(app: App, clock: FakeClock) -> None:
    ran: list[dict[str, object]] = []

    async def handler(job: Job) -> None:
        ran.append(job.payload)

    app.scheduler.register("test.checkin", handler)
    due = clock.now() + timedelta(days=7)
    assert await app.scheduler.schedule("test.checkin", {"v": 1}, due, key="checkin:1:7")
    assert not await app.scheduler.schedule("test.checkin", {"v": 2}, due, key="checkin:1:7")
    later = due + timedelta(days=3)
    assert await app.scheduler.schedule(
        "test.checkin", {"v": 3}, later, key="checkin:1:7", replace=True
    )
    [info] = await app.scheduler.jobs()
    assert info.due_at == later
    clock.advance(timedelta(days=7))
    assert await app.scheduler.run_due() == 0  # moved: not due on the old date
    clock.advance(timedelta(days=3))
    assert await app.scheduler.run_due() == 1
    assert ran == [{"v": 3}]
    # A finished job's key is not reused by a plain schedule.
    assert not await app.scheduler.schedule("test.checkin", {"v": 4}, due, key="checkin:1:7")


async def test_failures_back_off_then_dead_letter_and_retry_requeues(
    app: App, clock: FakeClock
) -> None:
    calls = 0

    async def flaky(job: Job) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError(f"boom {calls}")

    scheduler = _worker(app, clock, "w1", max_attempts=3)
    scheduler.register("test.flaky", flaky)
    await scheduler.schedule("test.flaky", {}, clock.now())
    assert await scheduler.run_due() == 1
    [info] = await scheduler.jobs()
    assert info.state == JobState.PENDING and info.last_error == "RuntimeError: boom 1"
    assert info.due_at == clock.now() + timedelta(seconds=30)
    assert await scheduler.run_due() == 0  # backing off
    clock.advance(timedelta(seconds=30))
    assert await scheduler.run_due() == 1
    clock.advance(timedelta(seconds=60))
    assert await scheduler.run_due() == 1
    [info] = await scheduler.jobs(state=JobState.FAILED)
    assert info.attempts == 3 and info.last_error == "RuntimeError: boom 3"
    clock.advance(timedelta(days=1))
    assert await scheduler.run_due() == 0  # dead letters stay put
    with pytest.raises(InvalidInputError):
        await scheduler.schedule("test.flaky", {}, datetime(2026, 3, 2))  # naive
    requeued = await scheduler.retry(info.id)
    assert requeued.state == JobState.PENDING
    with pytest.raises(InvalidInputError, match="only failed jobs"):
        await scheduler.retry(info.id)
    with pytest.raises(NotFoundError):
        await scheduler.retry(999_999)
    assert await scheduler.run_due() == 1
    assert calls == 4


async def test_a_job_of_unknown_kind_is_dead_lettered_with_a_reason(
    app: App, clock: FakeClock
) -> None:
    await app.scheduler.schedule("test.nobody", {}, clock.now())
    assert await app.scheduler.run_due() == 1
    [info] = await app.scheduler.jobs(state=JobState.FAILED)
    assert "no handler for job kind 'test.nobody'" in (info.last_error or "")
    assert await app.scheduler.retry_failed() == 1


async def test_an_expired_lease_lets_another_worker_take_the_job(
    app: App, clock: FakeClock
) -> None:
    runs: list[str] = []
    first = _worker(app, clock, "w1", lease=timedelta(minutes=5))
    second = _worker(app, clock, "w2", lease=timedelta(minutes=5))

    async def handler(job: Job) -> None:
        runs.append(f"run {job.attempts}")

    second.register("test.lease", handler)
    await first.schedule("test.lease", {}, clock.now())
    assert len(await first.claim()) == 1  # w1 claims, then dies without finishing
    assert await second.run_due() == 0  # still leased
    clock.advance(timedelta(minutes=5, seconds=1))
    assert await second.run_due() == 1
    assert runs == ["run 2"]
    [info] = await second.jobs()
    assert info.state == JobState.DONE


async def test_a_job_moved_while_running_keeps_its_new_schedule(app: App, clock: FakeClock) -> None:
    scheduler = app.scheduler
    later = clock.now() + timedelta(days=2)

    async def handler(job: Job) -> None:
        await scheduler.schedule("test.move", {"v": 2}, later, key="move", replace=True)

    scheduler.register("test.move", handler)
    await scheduler.schedule("test.move", {"v": 1}, clock.now(), key="move")
    assert await scheduler.run_due() == 1
    [info] = await scheduler.jobs()
    assert info.state == JobState.PENDING and info.due_at == later


async def test_a_recurring_job_runs_once_after_downtime_then_keeps_its_cadence(
    app: App, clock: FakeClock
) -> None:
    ran: list[datetime] = []

    async def handler(job: Job) -> None:
        ran.append(clock.now())

    scheduler = _worker(app, clock, "w1")
    scheduler.every("test.tick", timedelta(hours=1), handler)
    await scheduler.ensure_recurring()
    await scheduler.ensure_recurring()  # idempotent: every worker calls it
    start = clock.now()
    assert await scheduler.run_due() == 1
    clock.advance(timedelta(hours=10, minutes=30))  # the service was down for ten periods
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    [info] = await scheduler.jobs()
    assert info.due_at == start + timedelta(hours=11)
    assert len(ran) == 2


async def test_cancel_by_key_and_by_prefix_touch_only_pending_jobs(
    app: App, clock: FakeClock
) -> None:
    s = app.scheduler
    due = clock.now() + timedelta(days=1)
    for key in ("project:1:checkin:7", "project:1:checkin:30", "project:10:checkin:7", "a%b"):
        await s.schedule("test.c", {}, due, key=key)
    assert await s.cancel("a%b")
    assert not await s.cancel("a%b")
    assert await s.cancel_prefix("project:1:") == 2
    pending = await s.jobs(state=JobState.PENDING)
    assert [j.key for j in pending] == ["project:10:checkin:7"]
    assert await s.cancel_prefix("project:1_") == 0  # LIKE wildcards are literal
    with pytest.raises(InvalidInputError):
        await s.cancel_prefix("")


async def test_the_sla_check_is_a_recurring_job(app: App, clock: FakeClock) -> None:
    assert "sla.check" in app.scheduler.kinds
    await app.scheduler.ensure_recurring()
    assert await app.scheduler.run_due() == len(await app.scheduler.jobs())
    [info] = await app.scheduler.jobs(kind="sla.check")
    assert info.state == JobState.PENDING
    assert info.due_at == clock.now() + timedelta(seconds=app.settings.sla_check_seconds)


def test_next_occurrence_skips_missed_periods() -> None:
    due = datetime(2026, 1, 1, tzinfo=UTC)
    day = timedelta(days=1)
    assert next_occurrence(due, day, due) == due + day
    assert next_occurrence(due, day, due + timedelta(days=5, hours=1)) == due + 6 * day
    assert next_occurrence(due, day, due + 5 * day) == due + 6 * day
    with pytest.raises(InvalidInputError):
        next_occurrence(due, timedelta(0), due)


async def test_jobs_by_key_prefix_soonest_first_with_wildcards_taken_literally(
    app: App, clock: FakeClock
) -> None:
    now = clock.now()
    for key, days in (("project:1:checkin:30", 30), ("project:1:checkin:7", 7)):
        await app.scheduler.schedule("test.checkin", {}, now + timedelta(days=days), key=key)
    await app.scheduler.schedule("test.checkin", {}, now + timedelta(days=1), key="project:11:x")
    await app.scheduler.schedule("test.checkin", {}, now + timedelta(days=2), key="project_1:x")
    found = await app.scheduler.jobs(key_prefix="project:1:checkin:")
    assert [j.key for j in found] == ["project:1:checkin:7", "project:1:checkin:30"]
    [first] = await app.scheduler.jobs(key_prefix="project:1:", limit=1)
    assert first.key == "project:1:checkin:7"
    literal = await app.scheduler.jobs(key_prefix="project_")  # '_' is not a wildcard here
    assert [j.key for j in literal] == ["project_1:x"]
