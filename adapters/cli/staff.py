"""Staff accounts for the web console: `aftercare staff add|list|set|password`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.features.accounts.service import StaffView

staff_app = typer.Typer(help="Staff accounts for the web console.", no_args_is_help=True)
ClientsOpt = Annotated[
    list[str] | None,
    typer.Option("--client", help="Client code an agent serves (repeat for several)."),
]
SlackOpt = Annotated[
    str | None,
    typer.Option("--slack-user", help="Their Slack user id (U…): Slack replies sign as them."),
]
StdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first stdin line.")
]


def _password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _line(s: StaffView) -> str:
    serves = "all clients" if s.clients is None else (", ".join(s.client_codes) or "no client")
    state = "" if s.active else "  (disabled)"
    slack = f"  slack {s.slack_user_id}" if s.slack_user_id else ""
    return f"#{s.id:<3} {s.name:<20} {s.email:<28} {s.role:<6} {serves}{slack}{state}"


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Argument(help="Name shown to clients on replies.")],
    email: Annotated[str, typer.Option("--email", help="Sign-in email.")],
    role: Annotated[str, typer.Option("--role", help="admin or agent.")] = "agent",
    slack_user: SlackOpt = None,
    client: ClientsOpt = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Add a staff account; the password is asked for (or read from stdin) and stored hashed."""
    password = _password(password_stdin)

    async def work() -> StaffView:
        async with opened_app(settings()) as app:
            return await app.staff.add(
                name, email, role, password, slack_user_id=slack_user, clients=client or ()
            )

    typer.echo(f"added {_line(run(work))}")


@staff_app.command("list")
def staff_list() -> None:
    """Every staff account, its role and the clients it serves."""

    async def work() -> list[StaffView]:
        async with opened_app(settings()) as app:
            return await app.staff.all()

    found = run(work)
    if not found:
        typer.echo("no staff accounts; add one with `aftercare staff add`")
    for s in found:
        typer.echo(_line(s))


@staff_app.command("set")
def staff_set(
    ref: Annotated[str, typer.Argument(help="Email or name.")],
    role: Annotated[str | None, typer.Option("--role", help="admin or agent.")] = None,
    slack_user: SlackOpt = None,
    client: ClientsOpt = None,
    active: Annotated[
        bool | None, typer.Option("--active/--disabled", help="Allow or refuse sign-in.")
    ] = None,
) -> None:
    """Change a staff account; disabling one signs it out everywhere."""

    async def work() -> StaffView:
        async with opened_app(settings()) as app:
            staff = await app.staff.find(ref)
            view = await app.staff.update(
                staff.id, role=role, slack_user_id=slack_user, clients=client, active=active
            )
            if active is False:
                await app.sessions.end_all(staff.id)
            return view

    typer.echo(f"updated {_line(run(work))}")


@staff_app.command("password")
def staff_password(
    ref: Annotated[str, typer.Argument(help="Email or name.")],
    password_stdin: StdinOpt = False,
) -> None:
    """Set a new password; the account is signed out everywhere."""
    password = _password(password_stdin)

    async def work() -> StaffView:
        async with opened_app(settings()) as app:
            staff = await app.staff.find(ref)
            await app.sessions.end_all(staff.id)
            return await app.staff.update(staff.id, password=password)

    typer.echo(f"password changed for {run(work).email}")
