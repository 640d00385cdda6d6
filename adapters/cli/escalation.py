"""`aftercare conversation ...`: transcripts, and the terminal staff desk (waiting, take, reply,
hand back, close) for installations without a Slack staff channel, or for staff at a shell."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

from adapters.cli.params import ROW_ID
from adapters.cli.runtime import opened_app, run, settings
from bot.features.escalation.relay import Relayed
from bot.features.escalation.service import EscalationService
from bot.features.escalation.state import EscalationView
from bot.features.escalation.transcript import transcript

conversation_app = typer.Typer(
    help="Conversations, their handoff history, and answering clients from the terminal.",
    no_args_is_help=True,
)

_MARK = {"in": "<", "out": ">", "staff": ">>", "state": "*"}
Id = Annotated[
    int,
    typer.Argument(help="Conversation id (see `aftercare conversation waiting`).", callback=ROW_ID),
]
By = Annotated[str, typer.Option("--by", help="Your name, as the client sees it.")]


@conversation_app.command("show")
def show(conversation_id: Id) -> None:
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


@conversation_app.command("waiting")
def waiting() -> None:
    """Conversations waiting for a person or with one, oldest first (times in UTC)."""

    async def work() -> None:
        async with opened_app(settings()) as app:
            found = await app.escalation.states.waiting()
        if not found:
            typer.echo("nobody is waiting")
        for w in found:
            state = w.view.state.value + (f" ({w.view.taken_by})" if w.view.taken_by else "")
            client = f", {w.client}" if w.client else ""
            typer.echo(
                f"#{w.view.conversation_id:<5} {state:<24} since {w.since:%Y-%m-%d %H:%M}  "
                f"{w.who}{client} on {w.channel}: {w.view.reason or '-'}"
            )

    run(work)


def _act(action: Callable[[EscalationService], Awaitable[EscalationView]]) -> None:
    async def work() -> None:
        async with opened_app(settings()) as app:
            view = await action(app.escalation)
        typer.echo(f"#{view.conversation_id}: {view.state.value}")

    run(work)


@conversation_app.command("take")
def take(conversation_id: Id, by: By) -> None:
    """Take a conversation: the bot stays quiet and the client hears who answers."""
    _act(lambda escalation: escalation.take(conversation_id, by))


@conversation_app.command("handback")
def handback(conversation_id: Id, by: By) -> None:
    """Give the conversation back to the bot, with a short note to the client."""
    _act(lambda escalation: escalation.hand_back(conversation_id, by))


@conversation_app.command("close")
def close(conversation_id: Id, by: By) -> None:
    """Close the conversation; the client's next message starts again with the bot."""
    _act(lambda escalation: escalation.close(conversation_id, by))


@conversation_app.command("reply")
def reply(
    conversation_id: Id,
    text: Annotated[str, typer.Argument(help="What the client receives, signed with --by.")],
    by: By,
) -> None:
    """Answer the client on their own channel (taking the conversation if it was waiting)."""
    if not text.strip():
        raise typer.BadParameter("the reply is empty", param_hint="TEXT")

    async def work() -> None:
        async with opened_app(settings()) as app:
            relayed = await app.escalation.relay.staff_reply(
                conversation_id, text, by, key=f"terminal:{uuid.uuid4().hex}"
            )
        if relayed is Relayed.NOT_SENT:
            typer.echo(
                f"not sent: conversation {conversation_id} is with the bot; "
                f"`aftercare conversation take {conversation_id} --by NAME` first",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo(f"#{conversation_id}: sent")

    run(work)
