"""`aftercare report project`: one project's review as Markdown with PNG charts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.params import output_dir
from adapters.cli.runtime import opened_app, run, settings
from bot.features.review.data import gather
from bot.features.review.render import write_review


def report_project(
    project: Annotated[str, typer.Argument(help="Project name.")],
    client: Annotated[
        str | None, typer.Option(help="Client code, when clients share a project name.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory for review.md and charts. Default: DATA_DIR/reports/..."),
    ] = None,
) -> None:
    """Acceptance and handover checklist, risk, tickets by category, SLA attainment, CSAT/NPS,
    training, announcements and suggestions."""

    async def work() -> list[Path]:
        config = settings()
        async with opened_app(config) as app:
            review = await gather(app, project, client)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{review.client_code} {review.project}".lower())
        folder = (
            out or config.data_dir / "reports" / f"{slug.strip('-')}-{review.generated_at:%Y%m%d}"
        )
        with output_dir(folder) as staging:
            written = write_review(review, staging)
        return [folder / path.name for path in written]

    for path in run(work):
        typer.echo(str(path))
