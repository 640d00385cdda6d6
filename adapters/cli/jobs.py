"""`aftercare worker` (the scheduler and outbox loop) and `aftercare jobs list|retry`."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from adapters.channels import configured_channels, run_background
from adapters.cli.params import ROW_ID, in_range
from adapters.cli.runtime import opened_app, run, settings
from bot.core.errors import InvalidInputError
from bot.core.intake import DEAD, DONE, PENDING, PROCESSING
from bot.core.scheduler import JobState, work

EVENT_STATES = (PENDING, PROCESSING, DONE, DEAD)
events_app = typer.Typer(
    help="Recorded Slack and Telegram events: what is waiting, what was dead-lettered.",
    no_args_is_help=True,
)
jobs_app = typer.Typer(
    help="Scheduled jobs: inspect the queue, retry dead letters.", no_args_is_help=True
)


def worker(
    interval: Annotated[float, typer.Option(help="Seconds to wait when nothing is due.")] = 1.0,
    batch: Annotated[int, typer.Option(help="Jobs claimed per round.", min=1, max=1000)] = 50,
) -> None:
    """Run due jobs, process recorded Slack and Telegram events and deliver the outbox until
    stopped (run as many as you like; SIGTERM drains what is in hand)."""

    async def main() -> None:
        async with opened_app(settings(), with_kb=True) as app:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            channels = configured_channels(app)
            for channel in channels:
                await channel.start(embedded=False)
            typer.echo(
                f"worker {app.scheduler.worker_id} running: {', '.join(app.scheduler.kinds)}"
            )
            try:
                await asyncio.gather(
                    work(app.scheduler, stop, interval, batch),
                    run_background(app, channels, stop),
                )
            finally:
                for channel in channels:
                    await channel.stop()

    run(main)


@jobs_app.command("list")
def jobs_list(
    failed: Annotated[bool, typer.Option("--failed", help="Only dead-lettered jobs.")] = False,
    state: Annotated[
        str | None, typer.Option(help="pending, running, done, failed, cancelled.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind.")] = None,
    limit: Annotated[int, typer.Option(callback=in_range(1, 10_000))] = 100,
) -> None:
    """List jobs, soonest first."""

    async def main() -> None:
        wanted = JobState.FAILED if failed else _state(state)
        async with opened_app(settings()) as app:
            jobs = await app.scheduler.jobs(state=wanted, kind=kind, limit=limit)
        if not jobs:
            typer.echo("no jobs")
        for job in jobs:
            line = (
                f"{job.id}\t{job.state}\t{job.due_at:%Y-%m-%d %H:%M}Z\t{job.kind}\t"
                f"{job.key or '-'}\tattempts={job.attempts}"
            )
            if job.last_error:
                line += f"\t{job.last_error}"
            typer.echo(line)

    run(main)


@jobs_app.command("retry")
def jobs_retry(
    job_id: Annotated[
        int | None, typer.Argument(help="The failed job to run again.", callback=ROW_ID)
    ] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed job.")] = False,
) -> None:
    """Put dead-lettered jobs back in the queue, due now."""

    async def main() -> None:
        if (job_id is None) == (not all_failed):
            raise InvalidInputError("give a job id or --all-failed (not both)")
        async with opened_app(settings()) as app:
            if job_id is not None:
                job = await app.scheduler.retry(job_id)
                typer.echo(f"job {job.id} ({job.kind}) queued again")
            else:
                count = await app.scheduler.retry_failed()
                typer.echo(f"{count} failed job(s) queued again")

    run(main)


def _state(value: str | None) -> JobState | None:
    if value is None:
        return None
    try:
        return JobState(value)
    except ValueError:
        names = ", ".join(s.value for s in JobState)
        raise InvalidInputError(f"unknown state {value!r}; use one of {names}") from None


@events_app.command("list")
def events_list(
    dead: Annotated[bool, typer.Option("--dead", help="Only dead-lettered events.")] = False,
    state: Annotated[str | None, typer.Option(help="pending, processing, done or dead.")] = None,
    limit: Annotated[int, typer.Option(callback=in_range(1, 10_000))] = 100,
) -> None:
    """List recorded inbound events, newest first (their bodies are not shown)."""

    async def main() -> None:
        wanted = DEAD if dead else state
        if wanted is not None and wanted not in EVENT_STATES:
            raise InvalidInputError(
                f"unknown state {wanted!r}; use one of {', '.join(EVENT_STATES)}"
            )
        async with opened_app(settings()) as app:
            events = await app.intake.events(state=wanted, limit=limit)
        if not events:
            typer.echo("no events")
        for event in events:
            line = (
                f"{event.id}\t{event.state}\t{event.received_at:%Y-%m-%d %H:%M:%S}Z\t"
                f"{event.key}\tattempts={event.attempts}"
            )
            if event.last_error:
                line += f"\t{event.last_error}"
            typer.echo(line)

    run(main)


@events_app.command("retry")
def events_retry(
    event_id: Annotated[
        int | None, typer.Argument(help="The dead event to process again.", callback=ROW_ID)
    ] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Every dead event.")] = False,
) -> None:
    """Queue dead-lettered events again; a running serve or worker processes them."""

    async def main() -> None:
        if (event_id is None) == (not all_dead):
            raise InvalidInputError("give an event id or --all-dead (not both)")
        async with opened_app(settings()) as app:
            count = await app.intake.retry_dead(event_id)
        if event_id is not None and count == 0:
            raise InvalidInputError(f"event {event_id} is not dead-lettered")
        typer.echo(f"{count} event(s) queued again")

    run(main)
