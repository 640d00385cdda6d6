"""Risk commands: `aftercare report risk`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.features.risk.service import Risk, risk_json


def report_risk(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Projects by risk score (0-100), each with the signals that make up its score."""

    async def work() -> tuple[list[Risk], int]:
        async with opened_app(settings()) as app:
            return await app.risk.report(), app.risk.threshold

    risks, threshold = run(work)
    if as_json:
        typer.echo(
            json.dumps(
                {"threshold": threshold, "projects": [risk_json(r) for r in risks]}, indent=2
            )
        )
        return
    if not risks:
        typer.echo("no projects")
    for risk in risks:
        flag = "  ALERT" if risk.score >= threshold else ""
        typer.echo(f"{risk.score:>3}  {risk.client} / {risk.project}{flag}")
        for signal in risk.signals:
            typer.echo(f"       +{signal.points:<3} {signal.reason}")
        if not risk.signals:
            typer.echo("       no risk signals")
