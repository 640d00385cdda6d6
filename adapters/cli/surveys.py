"""Survey commands: `aftercare report surveys` (with a matplotlib trend) and the low-score
follow-up tasks (`aftercare survey followups`, `aftercare survey done`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.params import ROW_ID, output_file
from adapters.cli.runtime import opened_app, run, settings
from bot.core.errors import InvalidInputError
from bot.features.surveys.chart import draw_trend
from bot.features.surveys.report import Scores, SurveyReport, report_json, survey_report
from bot.features.surveys.service import FollowUpView

survey_app = typer.Typer(
    help="Surveys: low-score follow-up tasks and NPS rounds.", no_args_is_help=True
)
_out = Console(highlight=False)


def report_surveys(
    client: Annotated[str | None, typer.Option(help="Client code or name.")] = None,
    project: Annotated[str | None, typer.Option(help="Project name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw the monthly trend to this PNG file.")
    ] = None,
) -> None:
    """CSAT average, NPS, response rates and the monthly trend."""

    async def work() -> SurveyReport:
        if plot is not None and plot.suffix.lower() != ".png":
            raise InvalidInputError(f"--plot writes a PNG file; got {plot.name!r}")
        async with opened_app(settings()) as app:
            records = await app.surveys.find(client_ref=client, project=project)
        report = survey_report(records)
        if plot is not None:
            with output_file(plot) as path:
                draw_trend(report, path)
        return report

    report = run(work)
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
    else:
        _print_report(report)
    if plot is not None and not as_json:
        typer.echo(f"trend written to {plot}")


@survey_app.command("followups")
def followups(
    all_: Annotated[bool, typer.Option("--all", help="Include finished tasks.")] = False,
) -> None:
    """Follow-up tasks opened by low scores (CSAT <= 2, NPS <= 6), open ones by default."""

    async def work() -> list[FollowUpView]:
        async with opened_app(settings()) as app:
            return await app.surveys.followups(include_done=all_)

    tasks = run(work)
    if not tasks:
        typer.echo("no follow-ups")
    for f in tasks:
        done = f" (done by {f.done_by}: {f.note or '-'})" if f.state == "done" else ""
        comment = f' "{f.comment}"' if f.comment else ""
        typer.echo(
            f"#{f.id:<4} {f.state:<5} {f.created_at:%Y-%m-%d %H:%M}  {f.summary}{comment}{done}"
        )


@survey_app.command("done")
def followup_done(
    task: Annotated[
        int, typer.Argument(help="Follow-up number, from `survey followups`.", callback=ROW_ID)
    ],
    note: Annotated[str, typer.Option(help="What was done.")] = "",
    by: Annotated[str, typer.Option("--by", help="Who followed up.")] = "staff",
) -> None:
    """Mark a follow-up task done."""

    async def work() -> FollowUpView:
        async with opened_app(settings()) as app:
            return await app.surveys.close_followup(task, by, note)

    view = run(work)
    typer.echo(f"#{view.id}: done by {view.done_by}")


@survey_app.command("schedule-nps")
def schedule_nps() -> None:
    """Start NPS rounds for projects that have none yet (new projects get them at creation)."""

    async def work() -> int:
        async with opened_app(settings()) as app:
            return await app.surveys.schedule_all_nps()

    typer.echo(f"{run(work)} project(s) scheduled")


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _print_report(report: SurveyReport) -> None:
    def row(name: str, s: Scores, score: str) -> tuple[str, ...]:
        return (
            name,
            str(s.sent),
            str(s.answered),
            _fmt(s.response_rate, ".0%"),
            score,
            str(s.skipped),
        )

    table = Table("survey", "sent", "answered", "response", "score", "skipped")
    table.add_row(*row("CSAT (1-5)", report.csat, _fmt(report.csat.average, ".2f")))
    table.add_row(*row("NPS (-100..100)", report.nps, _fmt(report.nps.nps, "+.0f")))
    _out.print(table)
    if not report.months:
        _out.print("No surveys yet.")
        return
    trend = Table("month", "CSAT avg", "CSAT answered/sent", "NPS", "NPS answered/sent")
    for m in report.months:
        trend.add_row(
            m.month,
            _fmt(m.csat.average, ".2f"),
            f"{m.csat.answered}/{m.csat.sent}",
            _fmt(m.nps.nps, "+.0f"),
            f"{m.nps.answered}/{m.nps.sent}",
        )
    _out.print(trend)
