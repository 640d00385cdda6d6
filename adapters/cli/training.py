"""`aftercare training ...`: schedule sessions, attach materials, record attendance."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.params import ROW_ID
from adapters.cli.runtime import opened_app, run, settings
from bot.core.localtime import when_text
from bot.features.training.service import KINDS, SessionView

training_app = typer.Typer(
    help="Training sessions per project: schedule, list, materials, attendance.",
    no_args_is_help=True,
)

ClientOpt = Annotated[
    str | None, typer.Option("--client", help="Client code, when clients share a project name.")
]
SessionArg = Annotated[
    int, typer.Argument(help="Session number, from `training list`.", callback=ROW_ID)
]


def _line(v: SessionView) -> str:
    place = f"online {v.link}" if v.link else f"on site: {v.address}"
    rated = f", rating {sum(v.ratings) / len(v.ratings):.1f}" if v.ratings else ""
    return (
        f"#{v.id:<4} {v.state:<9} {when_text(v.starts_at, v.timezone)} ({v.minutes} min)  "
        f"{v.kind}: {v.title}  {place}  registered {v.registered}, attended {v.attended}{rated}"
    )


@training_app.command("add")
def training_add(
    project: Annotated[str, typer.Argument(help="Project name.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(KINDS)}.")],
    at: Annotated[str, typer.Option(help="Start, in the project's timezone: 'YYYY-MM-DD HH:MM'.")],
    online: Annotated[str | None, typer.Option(help="Link of an online session.")] = None,
    address: Annotated[str | None, typer.Option(help="Address of an on-site session.")] = None,
    title: Annotated[str | None, typer.Option(help="Title shown to clients.")] = None,
    minutes: Annotated[int, typer.Option(help="Length; materials and rating follow it.")] = 90,
    client: ClientOpt = None,
) -> None:
    """Schedule a training session for a project."""

    async def work() -> SessionView:
        async with opened_app(settings()) as app:
            return await app.training.add(
                project,
                kind,
                at,
                link=online,
                address=address,
                title=title,
                minutes=minutes,
                client_ref=client,
            )

    view = run(work)
    typer.echo(f"added {_line(view)}")


@training_app.command("list")
def training_list(
    project: Annotated[str, typer.Argument(help="Project name.")],
    client: ClientOpt = None,
) -> None:
    """A project's sessions, with registrations, attendance and ratings."""

    async def work() -> list[SessionView]:
        async with opened_app(settings()) as app:
            return await app.training.sessions(project, client)

    views = run(work)
    if not views:
        typer.echo("no training sessions")
    for view in views:
        typer.echo(_line(view))
        for link in view.materials:
            typer.echo(f"      material: {link}")


@training_app.command("show")
def training_show(session: SessionArg) -> None:
    """One session and each contact's registration, attendance and rating."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            view = await app.training.get(session)
            people = await app.training.attendees(session)
        typer.echo(_line(view))
        for link in view.materials:
            typer.echo(f"  material: {link}")
        for p in people:
            attended = {True: "attended", False: "absent", None: "-"}[p.attended]
            typer.echo(
                f"  {p.handle:<16} {'registered' if p.registered else 'not registered':<15} "
                f"{attended:<9} rating {p.rating or '-'}"
            )

    run(work)


@training_app.command("materials")
def training_materials(
    session: SessionArg,
    url: Annotated[str, typer.Argument(help="Link to slides, recording, handout.")],
) -> None:
    """Attach a materials link (sent after the session, or at once if it is over)."""

    async def work() -> SessionView:
        async with opened_app(settings()) as app:
            return await app.training.add_material(session, url)

    view = run(work)
    typer.echo(f"#{view.id}: {len(view.materials)} material link(s)")


@training_app.command("attendance")
def training_attendance(
    session: SessionArg,
    contact: Annotated[str, typer.Argument(help="Contact handle (CLIENT/handle if ambiguous).")],
    attended: Annotated[
        bool, typer.Option("--attended/--absent", help="Whether the contact came.")
    ] = True,
) -> None:
    """Record whether a contact attended."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            person = await app.training.set_attendance(session, contact, attended)
        typer.echo(f"#{session}: {person.handle} {'attended' if person.attended else 'absent'}")

    run(work)


@training_app.command("move")
def training_move(
    session: SessionArg,
    at: Annotated[str, typer.Option(help="New start, project timezone: 'YYYY-MM-DD HH:MM'.")],
) -> None:
    """Move a session; reminders follow and registered contacts are told."""

    async def work() -> SessionView:
        async with opened_app(settings()) as app:
            return await app.training.move(session, at)

    typer.echo(f"moved {_line(run(work))}")


@training_app.command("cancel")
def training_cancel(session: SessionArg) -> None:
    """Cancel a session; its reminders are dropped and registered contacts are told."""

    async def work() -> SessionView:
        async with opened_app(settings()) as app:
            return await app.training.cancel(session)

    typer.echo(f"cancelled {_line(run(work))}")
