"""Handover commands: `aftercare handover show|tick|untick`."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.features.handover.service import ChecklistView

handover_app = typer.Typer(
    help="Handover checklists: what is done, confirmed and overdue.", no_args_is_help=True
)

Project = Annotated[str, typer.Argument(help="Project name (CLIENT/Project if ambiguous).")]
ClientOpt = Annotated[str | None, typer.Option("--client", help="Client code or name.")]


@handover_app.command("show")
def handover_show(project: Project, client: ClientOpt = None) -> None:
    """A project's checklist: due dates, staff ticks, client confirmations and the event log."""

    async def work() -> ChecklistView:
        async with opened_app(settings()) as app:
            project_id = await app.handover.project_id(project, client)
            return await app.handover.checklist(project_id, with_events=True)

    view = run(work)
    accepted = view.accepted_on.isoformat() if view.accepted_on else "not yet"
    typer.echo(
        f"{view.client_code} / {view.project}: delivered {view.delivered_on}, accepted "
        f"{accepted}; {view.confirmed} of {len(view.items)} items confirmed"
    )
    for item in view.items:
        ticked = f"ticked by {item.ticked_by}" if item.ticked_by else "not ticked"
        confirmed = (
            f"confirmed by {item.confirmed_by} {item.confirmed_at:%Y-%m-%d %H:%M}Z"
            if item.confirmed_at
            else "not confirmed"
        )
        problem = f", problem {item.ticket}" if item.ticket else ""
        typer.echo(
            f"{item.position:>2}. {item.key:<18} due {item.due_on}  {ticked:<22} "
            f"{confirmed}{problem}  {item.title_en}"
        )
    if view.events:
        typer.echo("events:")
    for event in view.events:
        note = f": {event.note}" if event.note else ""
        typer.echo(
            f"  {event.at:%Y-%m-%d %H:%M}Z  {event.kind:<9} {event.item or '-':<18} "
            f"{event.actor}{note}"
        )


@handover_app.command("tick")
def handover_tick(
    project: Project,
    item: Annotated[str, typer.Argument(help="Item key (user_manual) or number (2).")],
    by: Annotated[str, typer.Option("--by", help="Who did it.")],
    client: ClientOpt = None,
) -> None:
    """Mark an item done on our side; the client still confirms it in chat (/handover)."""

    async def work() -> str:
        async with opened_app(settings()) as app:
            project_id = await app.handover.project_id(project, client)
            view = await app.handover.tick(project_id, item, by)
        return f"{view.position}. {view.key}: ticked by {view.ticked_by}"

    typer.echo(run(work))


@handover_app.command("untick")
def handover_untick(
    project: Project,
    item: Annotated[str, typer.Argument(help="Item key (user_manual) or number (2).")],
    by: Annotated[str, typer.Option("--by", help="Who takes the tick back.")],
    client: ClientOpt = None,
) -> None:
    """Take back a tick made by mistake (not once the client has confirmed the item)."""

    async def work() -> str:
        async with opened_app(settings()) as app:
            project_id = await app.handover.project_id(project, client)
            view = await app.handover.untick(project_id, item, by)
        return f"{view.position}. {view.key}: not ticked"

    typer.echo(run(work))
