"""`aftercare announce`: notices to a project's, a client's or every client's contacts, and
their per-contact delivery state (`announce status ID`)."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.params import ROW_ID
from adapters.cli.runtime import opened_app, run, settings
from bot.core.localtime import when_text
from bot.features.announcements.service import KINDS, AnnouncementView, DeliveryView

announce_app = typer.Typer(
    help="Announcements: upgrade windows, security patches, new features.",
    invoke_without_command=True,
)


def _line(v: AnnouncementView) -> str:
    text = v.text if len(v.text) <= 60 else v.text[:57] + "..."
    return (
        f"#{v.id:<4} {v.state:<9} {when_text(v.send_at, v.timezone)}  {v.kind:<8} "
        f"{v.scope} {v.target}: {text}"
    )


@announce_app.callback()
def announce(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option(help="Every contact of this project.")] = None,
    client: Annotated[
        str | None, typer.Option(help="Every contact of this client (or the project's client).")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every contact of every client.")] = False,
    kind: Annotated[str | None, typer.Option(help=f"One of {', '.join(KINDS)}.")] = None,
    text: Annotated[str | None, typer.Option(help="The notice.")] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="Send at 'YYYY-MM-DD HH:MM' (the project's timezone, else "
            "AFTERCARE_DEFAULT_TIMEZONE); default now."
        ),
    ] = None,
) -> None:
    """Send a notice now or at --at; each contact gets it in their waking hours."""
    if ctx.invoked_subcommand is not None:
        return
    if kind is None or text is None:
        typer.echo(ctx.get_help())
        typer.echo("error: --kind and --text are needed to send a notice", err=True)
        raise typer.Exit(1)

    async def work() -> tuple[AnnouncementView, list[DeliveryView]]:
        async with opened_app(settings()) as app:
            view = await app.announcements.create(
                kind, text, project=project, client=client, everyone=all_, at=at
            )
            return view, await app.announcements.deliveries(view.id)

    view, people = run(work)
    typer.echo(_line(view))
    if view.state == "queued":
        typer.echo(
            f"queued for {len(people)} contact(s); see `aftercare announce status {view.id}`"
        )


@announce_app.command("status")
def announce_status(
    announcement: Annotated[int, typer.Argument(help="Announcement number.", callback=ROW_ID)],
) -> None:
    """Each contact's copy: queued, sent, failed or acknowledged."""

    async def work() -> tuple[AnnouncementView, list[DeliveryView]]:
        async with opened_app(settings()) as app:
            view = await app.announcements.get(announcement)
            return view, await app.announcements.deliveries(announcement)

    view, people = run(work)
    typer.echo(_line(view))
    if not people:
        typer.echo("no deliveries yet")
    counts: dict[str, int] = {}
    for p in people:
        counts[p.state] = counts.get(p.state, 0) + 1
        when = p.acknowledged_at or p.sent_at or p.queued_at
        typer.echo(f"  {p.client}/{p.handle:<16} {p.state:<12} {when:%Y-%m-%d %H:%M}Z  {p.name}")
    if counts:
        typer.echo("  " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


@announce_app.command("list")
def announce_list() -> None:
    """The latest announcements."""

    async def work() -> list[AnnouncementView]:
        async with opened_app(settings()) as app:
            return await app.announcements.recent()

    views = run(work)
    if not views:
        typer.echo("no announcements")
    for view in views:
        typer.echo(_line(view))


@announce_app.command("cancel")
def announce_cancel(
    announcement: Annotated[int, typer.Argument(help="Announcement number.", callback=ROW_ID)],
) -> None:
    """Call off a scheduled notice that has not gone out."""

    async def work() -> AnnouncementView:
        async with opened_app(settings()) as app:
            return await app.announcements.cancel(announcement)

    typer.echo(_line(run(work)))
