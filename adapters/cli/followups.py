"""Follow-up commands: `aftercare project followups` (registered on the project group in
main.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.features.followups.service import parse_days


def project_followups(
    client: Annotated[str, typer.Option(help="Client code or name.")],
    name: Annotated[str, typer.Option(help="Project name.")],
    checkins: Annotated[
        str | None, typer.Option(help="Check-in days after delivery/acceptance, e.g. 7,30,90.")
    ] = None,
    warranty_notices: Annotated[
        str | None,
        typer.Option(help="Notice days before the warranty ends, e.g. 30,7 ('' for none)."),
    ] = None,
) -> None:
    """Show a project's follow-up schedule; with options, change its days first."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            if checkins is not None or warranty_notices is not None:
                await app.followups.set_policy(
                    client,
                    name,
                    parse_days(checkins, "--checkins") if checkins is not None else None,
                    parse_days(warranty_notices, "--warranty-notices")
                    if warranty_notices is not None
                    else None,
                )
            project_id = await app.followups.project_id(client, name)
            policy = await app.followups.policy(project_id)
            typer.echo(
                f"check-ins after {', '.join(map(str, policy.checkin_days)) or 'none'} days; "
                f"warranty notices {', '.join(map(str, policy.warranty_notice_days)) or 'none'} "
                "days before the end"
            )
            for followup in await app.followups.schedule(project_id):
                typer.echo(f"{followup.due_at:%Y-%m-%d %H:%M}Z\t{followup.label}\t{followup.state}")

    run(work)
