"""Shared checks on CLI parameters: numbers the database can hold, output paths that can be
written. Each failure is one `error:` line and exit code 1, like every other CLI error."""

from __future__ import annotations

from collections.abc import Callable

import typer

MAX_ID = 2**63 - 1  # PostgreSQL BIGINT and SQLite INTEGER; a larger number overflows the driver


def in_range(low: int, high: int) -> Callable[[typer.CallbackParam, int | None], int | None]:
    """A typer `callback=` that refuses a number outside low..high (None, an absent optional
    argument, passes). Unlike typer's `min`/`max` it prints one `error:` line, not a usage box."""

    def check(param: typer.CallbackParam, value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            flags = [o for o in param.opts if o.startswith("-")]
            name = flags[0] if flags else param.name.upper()
            typer.echo(f"error: {name} must be from {low} to {high}, not {value}", err=True)
            raise typer.Exit(1)
        return value

    return check


ROW_ID = in_range(1, MAX_ID)
"""The check for a row number given on the command line (a job, a session, a conversation)."""
