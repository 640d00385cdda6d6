"""Staff ticket commands (`aftercare ticket ...`) and the SLA report (`aftercare report sla`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import opened_app, run, settings
from bot.app import App
from bot.core.errors import InvalidInputError
from bot.core.localtime import local_time
from bot.features.tickets.report import TARGETS, SlaReport, Tally, sla_report
from bot.features.tickets.service import OPEN_STATUSES, TicketView

ticket_app = typer.Typer(
    help="Maintenance tickets: list, inspect and act on them.", no_args_is_help=True
)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)
_out = Console(highlight=False)

By = Annotated[str, typer.Option("--by", help="Who is acting (shown to the client on comments).")]
Ref = Annotated[str, typer.Argument(help="Ticket number, e.g. ACME-42.")]
Note = Annotated[str, typer.Option("--note", help="A note pushed to the client with the change.")]


@ticket_app.command("list")
def ticket_list(
    client: Annotated[str | None, typer.Option(help="Client code or name.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Include resolved and closed tickets.")
    ] = False,
) -> None:
    """List tickets, open ones by default."""

    async def work() -> None:
        statuses = (status,) if status else (None if all_ else OPEN_STATUSES)
        async with opened_app(settings()) as app:
            tickets = await app.tickets.find(client_ref=client, statuses=statuses, limit=None)
        if not tickets:
            typer.echo("no tickets")
        for v in tickets:
            typer.echo(
                f"{v.ref:<12} {v.severity}  {v.status:<17} {v.assignee or '-':<12} "
                f"{v.created_at:%Y-%m-%d %H:%M}  {v.client_code}/{v.project}: {v.title}"
            )

    run(work)


@ticket_app.command("show")
def ticket_show(ref: Ref) -> None:
    """A ticket with its SLA due times and full event log."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            view = await app.tickets.get(ref)
        _print_ticket(view)

    run(work)


@ticket_app.command("ack")
def ticket_ack(ref: Ref, by: By = "staff") -> None:
    """Acknowledge a new or reopened ticket (counts as the first response)."""
    _act(lambda app: app.tickets.acknowledge(ref, by), "acknowledged")


@ticket_app.command("assign")
def ticket_assign(
    ref: Ref, person: Annotated[str, typer.Argument(help="Who will work on it.")], by: By = "staff"
) -> None:
    """Assign a ticket to a person."""
    _act(lambda app: app.tickets.assign(ref, person, by), f"assigned to {person}")


@ticket_app.command("status")
def ticket_status(
    ref: Ref,
    status: Annotated[
        str,
        typer.Argument(help="acknowledged, in_progress, waiting_on_client, resolved or closed."),
    ],
    note: Note = "",
    by: By = "staff",
) -> None:
    """Change a ticket's status; the client is told."""
    _act(lambda app: app.tickets.set_status(ref, status, by, note), f"now {status}")


@ticket_app.command("comment")
def ticket_comment(
    ref: Ref, text: Annotated[str, typer.Argument(help="The comment.")], by: By = "staff"
) -> None:
    """Add a staff comment; it is pushed to the client's conversation."""
    _act(lambda app: app.tickets.comment(ref, text, by), "comment added")


@ticket_app.command("resolve")
def ticket_resolve(ref: Ref, note: Note = "", by: By = "staff") -> None:
    """Resolve a ticket; the client may reopen it within 14 days."""
    _act(lambda app: app.tickets.resolve(ref, by, note), "resolved")


@ticket_app.command("check-sla")
def ticket_check_sla() -> None:
    """Record SLA warnings (80%) and breaches due now and notify staff; safe to run from cron."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            alerts = await app.tickets.check_sla()
        for alert in alerts:
            typer.echo(alert)
        typer.echo(f"{len(alerts)} new SLA alert(s)")

    run(work)


@report_app.command("sla")
def report_sla(
    client: Annotated[str | None, typer.Option(help="Client code or name.")] = None,
    days: Annotated[int, typer.Option(help="Tickets opened in the last N days.")] = 90,
) -> None:
    """SLA attainment per severity and per client, and every breach."""

    async def work() -> None:
        if not 1 <= days <= 3660:
            raise InvalidInputError("--days must be between 1 and 3660")
        async with opened_app(settings()) as app:
            now = app.clock.now()
            tickets = await app.tickets.find(
                client_ref=client, since=now - timedelta(days=days), limit=None
            )
        _print_report(sla_report(tickets, now), days)

    run(work)


def _act(action: Callable[[App], Awaitable[TicketView]], done: str) -> None:
    async def work() -> None:
        async with opened_app(settings()) as app:
            view = await action(app)
        typer.echo(f"{view.ref}: {done} (status {view.status})")

    run(work)


def _print_ticket(v: TicketView) -> None:
    tz = v.timezone
    _out.print(f"{v.ref}  {v.title}", markup=False, soft_wrap=True)
    _out.print(
        f"client {v.client_name} · project {v.project} ({v.tier}, {tz}) · {v.category} · "
        f"{v.severity} · {v.status} · assignee {v.assignee or '-'} · reporter {v.reporter or '-'}",
        markup=False,
        soft_wrap=True,
    )
    first = local_time(v.first_response_at, tz) if v.first_response_at else "pending"
    resolved = local_time(v.resolved_at, tz) if v.resolved_at else "pending"
    _out.print(
        f"first response due {local_time(v.first_response_due, tz)} (done: {first}); "
        f"resolution due {local_time(v.resolution_due, tz)} (done: {resolved})",
        markup=False,
        soft_wrap=True,
    )
    _out.print(v.description, markup=False, soft_wrap=True)
    _out.print("events (UTC):")
    for e in v.events:
        detail = e.text or ""
        if e.kind == "status":
            detail = f"{e.data.get('from')} → {e.data.get('to')}" + (
                f": {detail}" if detail else ""
            )
        _out.print(
            f"  {e.at:%Y-%m-%d %H:%M}  {e.actor}  {e.kind}  {detail}", markup=False, soft_wrap=True
        )


def _pct(tally: Tally) -> str:
    share = tally.attainment
    return "-" if share is None else f"{share:.0%}"


def _print_report(report: SlaReport, days: int) -> None:
    _out.print(f"SLA attainment, tickets opened in the last {days} days: {report.tickets}")
    for title, groups in (("severity", report.by_severity), ("client", report.by_client)):
        table = Table(title)
        for target in TARGETS:
            name = target.replace("_", " ")
            table.add_column(f"{name}\nmet/missed/open", no_wrap=True)
            table.add_column(f"{name}\nattained", justify="right")
        for key, tallies in groups.items():
            cells = []
            for target in TARGETS:
                tally = tallies[target]
                cells += [f"{tally.met}/{tally.breached}/{tally.pending}", _pct(tally)]
            table.add_row(key, *cells)
        _out.print(table)
    if not report.breaches:
        _out.print("No breaches.")
        return
    table = Table("ticket", "sev", "target", "due (UTC)", "done (UTC)", "late by")
    for b in report.breaches:
        done = f"{b.done_at:%Y-%m-%d %H:%M}" if b.done_at else "still open"
        hours, rest = divmod(int(b.late_by.total_seconds()), 3600)
        table.add_row(
            b.ref,
            b.severity,
            b.target.replace("_", " "),
            f"{b.due:%Y-%m-%d %H:%M}",
            done,
            f"{hours}h{rest // 60:02d}m",
        )
    _out.print("Breaches:")
    _out.print(table)
