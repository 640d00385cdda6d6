"""`aftercare token create|list|revoke`: API tokens for integrations (the REST API, /api/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import opened_app, run, settings
from bot.features.accounts.tokens import SCOPES

token_app = typer.Typer(help="API tokens for the REST API (/api/v1).", no_args_is_help=True)
_out = Console(highlight=False)

Name = Annotated[str, typer.Argument(help="What the token is for, e.g. jira.")]


@token_app.command("create")
def token_create(
    name: Name,
    scope: Annotated[
        list[str],
        typer.Option("--scope", help=f"A scope to grant (repeat): {', '.join(SCOPES)}."),
    ],
) -> None:
    """Create a token; it is printed once, alone on the last line, and stored only as a hash."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            view, plaintext = await app.api_tokens.create(name, scope)
        typer.echo(
            f"created token {view.name} ({view.prefix}) with {', '.join(view.scopes)}; "
            "copy it now, it is not shown again:"
        )
        typer.echo(plaintext)

    run(work)


@token_app.command("list")
def token_list() -> None:
    """List tokens (times in UTC); secrets are never shown."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            tokens = await app.api_tokens.list()
        if not tokens:
            typer.echo("no tokens")
            return
        table = Table("name", "prefix", "scopes", "created", "last used", "revoked")
        for t in tokens:
            table.add_row(
                t.name,
                t.prefix,
                " ".join(t.scopes),
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.revoked_at),
            )
        _out.print(table)

    run(work)


@token_app.command("revoke")
def token_revoke(name: Name) -> None:
    """Revoke a token: the API refuses it from the next request on."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            view = await app.api_tokens.revoke(name)
        typer.echo(f"revoked token {view.name} ({view.prefix})")

    run(work)


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "-"
