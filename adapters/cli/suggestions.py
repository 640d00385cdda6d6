"""Suggestion commands: `aftercare suggestions list`."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.features.suggestions.service import SuggestionView

suggestions_app = typer.Typer(help="Improvement ideas sent by clients.", no_args_is_help=True)
ClientOpt = Annotated[str | None, typer.Option("--client", help="Client code or name.")]


@suggestions_app.command("list")
def suggestions_list(
    project: Annotated[str | None, typer.Option("--project", help="Only this project.")] = None,
    client: ClientOpt = None,
) -> None:
    """Suggestions from clients, newest first."""

    async def work() -> list[SuggestionView]:
        async with opened_app(settings()) as app:
            return await app.suggestions.find(project=project, client_ref=client)

    found = run(work)
    if not found:
        typer.echo("no suggestions")
    for s in found:
        typer.echo(
            f"#{s.id:<4} {s.created_at:%Y-%m-%d %H:%M}  {s.client}/{s.project or '-'}  "
            f"{s.author}: {s.text}"
        )
