"""`aftercare conversation show ID`: a transcript with its handoff states."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.transcript import transcript

conversation_app = typer.Typer(
    help="Conversations and their handoff history.", no_args_is_help=True
)

_MARK = {"in": "<", "out": ">", "staff": ">>", "state": "*"}


@conversation_app.command("show")
def show(conversation_id: Annotated[int, typer.Argument(help="Conversation id.")]) -> None:
    """Print the transcript: messages, staff replies and state changes (times in UTC)."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            found = await transcript(app.db, conversation_id)
        who = found.contact or "unlinked sender"
        if found.client:
            who += f", {found.client}"
        typer.echo(
            f"conversation {found.conversation_id}: {found.channel} {found.chat_id} ({who}); "
            f"state {found.state}"
        )
        for line in found.lines:
            text = line.text.replace("\n", "\n    ")
            typer.echo(f"{line.at:%Y-%m-%d %H:%M:%S} {_MARK[line.kind]} {line.who}: {text}")

    run(work)
