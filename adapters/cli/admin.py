"""Admin commands: clients, projects, contacts and their channel identities."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import opened_app, run, settings
from bot.core.directory import DEFAULT_WARRANTY_MONTHS, ProjectChange, parse_date
from bot.core.errors import InvalidInputError

client_app = typer.Typer(help="Client organisations.", no_args_is_help=True)
project_app = typer.Typer(help="Delivered projects.", no_args_is_help=True)
contact_app = typer.Typer(help="People at clients and their chat accounts.", no_args_is_help=True)
_out = Console()


@client_app.command("add")
def client_add(
    name: Annotated[str, typer.Argument(help="Organisation name, e.g. 'Acme Corp'.")],
    code: Annotated[str | None, typer.Option(help="Ticket prefix, e.g. ACME.")] = None,
) -> None:
    """Add a client organisation."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            client = await app.directory.add_client(name, code)
            typer.echo(f"added client {client.name} ({client.code})")

    run(work)


@client_app.command("list")
def client_list() -> None:
    """List clients."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            table = Table("code", "name", "since")
            for client in await app.directory.list_clients():
                table.add_row(client.code, client.name, client.created_at.date().isoformat())
            _out.print(table)

    run(work)


@project_app.command("add")
def project_add(
    client: Annotated[str, typer.Option(help="Client code or name.")],
    name: Annotated[str, typer.Option(help="Project name.")],
    delivered: Annotated[str, typer.Option(help="Delivery date, YYYY-MM-DD.")],
    warranty_months: Annotated[
        int, typer.Option(help="Warranty length in months, from delivery.")
    ] = DEFAULT_WARRANTY_MONTHS,
    sla_tier: Annotated[str, typer.Option(help="gold, silver or bronze.")] = "silver",
    timezone: Annotated[str | None, typer.Option(help="IANA timezone of the project.")] = None,
) -> None:
    """Add a delivered project to a client."""

    async def work() -> None:
        config = settings()
        delivered_on = parse_date(delivered)
        async with opened_app(config) as app:
            project = await app.directory.add_project(
                client,
                name,
                delivered_on,
                warranty_months,
                sla_tier,
                timezone or config.default_timezone,
            )
            typer.echo(
                f"added project {project.name}: delivered {project.delivered_on}, "
                f"warranty until {project.warranty_until}, SLA {project.sla_tier}"
            )

    run(work)


@project_app.command("list")
def project_list(
    client: Annotated[str | None, typer.Option(help="Only this client.")] = None,
) -> None:
    """List projects."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            table = Table(
                "client", "project", "delivered", "accepted", "warranty until", "SLA", "tz"
            )
            for project, owner in await app.directory.list_projects(client):
                table.add_row(
                    owner.code,
                    project.name,
                    str(project.delivered_on),
                    str(project.accepted_on or "-"),
                    str(project.warranty_until or "-"),
                    project.sla_tier,
                    project.timezone,
                )
            _out.print(table)

    run(work)


@contact_app.command("add")
def contact_add(
    client: Annotated[str, typer.Option(help="Client code or name.")],
    handle: Annotated[str, typer.Option(help="Short unique name, e.g. alice.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    lang: Annotated[str | None, typer.Option(help="Preferred language: en or zh.")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA timezone.")] = None,
) -> None:
    """Add a contact person to a client."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            contact = await app.directory.add_contact(client, handle, name, email, lang, timezone)
            typer.echo(f"added contact {contact.handle} ({contact.name})")

    run(work)


@contact_app.command("link")
def contact_link(
    client: Annotated[str, typer.Option(help="Client code or name.")],
    handle: Annotated[str, typer.Option(help="The contact's handle.")],
    channel: Annotated[str, typer.Option(help="slack, telegram or console.")],
    user_id: Annotated[str, typer.Option(help="The user id on that channel.")],
    workspace: Annotated[str, typer.Option(help="Slack team id (empty elsewhere).")] = "",
) -> None:
    """Link a chat account to a contact."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            await app.directory.link(client, handle, channel, user_id, workspace)
            typer.echo(f"linked {channel} user {user_id} to {handle}")

    run(work)


@contact_app.command("invite")
def contact_invite(
    client: Annotated[str, typer.Option(help="Client code or name.")],
    contact: Annotated[
        str | None, typer.Option(help="Link to this contact (default: a new contact per account).")
    ] = None,
    days: Annotated[int, typer.Option(help="Days until the code expires.")] = 7,
) -> None:
    """Create a one-time invite code; `/start CODE` in Telegram links the account or group."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            invite = await app.invites.create(client, contact, days)
            who = f"contact {invite.contact} of " if invite.contact else ""
            until = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
            typer.echo(f"invite for {who}{invite.client}, valid until {until}")
            typer.echo(f"code: {invite.code}")
            typer.echo(f"in Telegram: /start {invite.code}")
            typer.echo("it works once and is shown only now; keep it out of shared channels")

    run(work)


@contact_app.command("list")
def contact_list(
    client: Annotated[str | None, typer.Option(help="Only this client.")] = None,
) -> None:
    """List contacts and their linked chat accounts."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            table = Table("client", "handle", "name", "accounts")
            for view in await app.directory.list_contacts(client):
                table.add_row(view.client, view.handle, view.name, ", ".join(view.identities))
            _out.print(table)

    run(work)


@project_app.command("set")
def project_set(
    client: Annotated[str, typer.Option(help="Client code or name.")],
    name: Annotated[str, typer.Option(help="Project name.")],
    delivered: Annotated[str | None, typer.Option(help="Delivery date, YYYY-MM-DD.")] = None,
    accepted: Annotated[str | None, typer.Option(help="Acceptance date, YYYY-MM-DD.")] = None,
    warranty_until: Annotated[
        str | None, typer.Option(help="Last day of the warranty, YYYY-MM-DD.")
    ] = None,
    sla_tier: Annotated[str | None, typer.Option(help="gold, silver or bronze.")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA timezone.")] = None,
) -> None:
    """Change a project's dates, SLA tier or timezone; its follow-ups move to match."""

    async def work() -> None:
        change = ProjectChange(
            delivered_on=parse_date(delivered) if delivered else None,
            accepted_on=parse_date(accepted) if accepted else None,
            warranty_until=parse_date(warranty_until) if warranty_until else None,
            sla_tier=sla_tier,
            timezone=timezone,
        )
        if change == ProjectChange():
            raise InvalidInputError("nothing to change: give at least one option")
        async with opened_app(settings()) as app:
            project = await app.directory.update_project(client, name, change)
            typer.echo(
                f"{project.name}: delivered {project.delivered_on}, accepted "
                f"{project.accepted_on or '-'}, warranty until {project.warranty_until or '-'}, "
                f"SLA {project.sla_tier}, {project.timezone}"
            )

    run(work)
