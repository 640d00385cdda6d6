"""The `aftercare` command: one entry point for every mode and admin task."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from adapters.cli.admin import client_app, contact_app, project_app
from adapters.cli.announcements import announce_app
from adapters.cli.deflection import report_deflection
from adapters.cli.escalation import conversation_app
from adapters.cli.faq import kb_app
from adapters.cli.followups import project_followups
from adapters.cli.handover import handover_app
from adapters.cli.jobs import events_app, jobs_app, worker
from adapters.cli.kb import ask, evaluate, index, kb_import
from adapters.cli.review import report_project
from adapters.cli.risk import report_risk
from adapters.cli.runtime import opened_app, run, settings
from adapters.cli.serve import run_embedded, serve
from adapters.cli.staff import staff_app
from adapters.cli.suggestions import suggestions_app
from adapters.cli.surveys import report_surveys, survey_app
from adapters.cli.telegram import telegram_app
from adapters.cli.tickets import report_app, ticket_app
from adapters.cli.tokens import token_app
from adapters.cli.training import training_app
from adapters.cli.webhooks import webhook_app
from adapters.console.chat import ConsoleSession, render
from bot import demo
from bot.app import App
from bot.core.errors import AftercareError
from bot.core.settings import Settings
from bot.storage.migrate import upgrade_async

app = typer.Typer(
    help="Aftercare: the support assistant for the months after delivery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Sample data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(client_app, name="client")
app.add_typer(project_app, name="project")
project_app.command("followups")(project_followups)
app.add_typer(contact_app, name="contact")
app.add_typer(ticket_app, name="ticket")
app.add_typer(staff_app, name="staff")
app.add_typer(report_app, name="report")
app.add_typer(jobs_app, name="jobs")
app.add_typer(events_app, name="events")
app.add_typer(telegram_app, name="telegram")
app.command("worker")(worker)
app.add_typer(survey_app, name="survey")
report_app.command("surveys")(report_surveys)
report_app.command("project")(report_project)
app.add_typer(handover_app, name="handover")
app.add_typer(suggestions_app, name="suggestions")
report_app.command("risk")(report_risk)
report_app.command("deflection")(report_deflection)
app.add_typer(conversation_app, name="conversation")
app.add_typer(kb_app, name="kb")
kb_app.command("import")(kb_import)
app.add_typer(training_app, name="training")
app.add_typer(announce_app, name="announce")
app.add_typer(token_app, name="token")
app.add_typer(webhook_app, name="webhook")
app.command("serve")(serve)
app.command("run")(run_embedded)
app.command("index")(index)
app.command("ask")(ask)
app.command("eval")(evaluate)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""

    async def work() -> None:
        config = settings()
        await upgrade_async(config.resolved_database_url)
        typer.echo("database is up to date")

    run(work)


@demo_app.command("seed")
def demo_seed() -> None:
    """Add a sample client, project and contacts (first run only)."""

    async def work() -> None:
        async with opened_app(settings()) as application:
            if await demo.seed(application):
                typer.echo(
                    "seeded sample client ACME with contacts alice (en) and wang (zh) "
                    "and a training session (/training), and GLOBEX (li, zh) with an "
                    "at-risk project; staff console sign-in: "
                    f"{demo.STAFF_EMAIL} / {demo.STAFF_PASSWORD}"
                )
            else:
                typer.echo("clients exist already; nothing seeded")

    run(work)


@app.command("chat")
def chat(
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Contact handle to chat as (CLIENT/handle if ambiguous). Default: the demo "
            "contact alice, or a guest when there is none.",
        ),
    ] = None,
    script: Annotated[
        bool, typer.Option("--script", help="Read lines from stdin, print replies, exit.")
    ] = False,
) -> None:
    """Chat with the bot in the terminal (buttons are numbered: type the number)."""
    out = Console(highlight=False)

    if isinstance(sys.stdin, io.TextIOWrapper):
        # A byte that is not UTF-8 (or the terminal's encoding) becomes U+FFFD, not a crash.
        sys.stdin.reconfigure(errors="replace")

    async def work() -> None:
        # Log lines between the turns would break the conversation up: they go to a file.
        config = settings(log_file=None if script else _chat_log)
        async with opened_app(config, with_kb=True) as application:
            session = ConsoleSession(application, as_ or demo.CONTACT)
            await session.start(guest_if_missing=as_ is None)
            if not script:
                out.print(f"[dim]Logs: {_chat_log(config)}[/dim]", markup=True)
                await _warm_up(application)
            if script:
                for line in sys.stdin:
                    if not line.strip():
                        continue
                    out.print(f"> {line.strip()}", markup=False)
                    for reply in await session.say(line):
                        out.print(render(reply), markup=False)
                    out.print()
                return
            out.print(
                f"Chatting as [bold]{session.display_name}[/bold]. "
                "Type /help, a question, or 'quit'."
            )
            while True:
                try:
                    line = out.input("[bold cyan]you>[/bold cyan] ")
                except EOFError:
                    break
                if line.strip().lower() in {"quit", "exit"}:
                    break
                if not line.strip():
                    continue
                for reply in await session.say(line):
                    out.print(f"[bold green]aftercare>[/bold green] {_escape(render(reply))}")

    run(work)


def _chat_log(config: Settings) -> Path:
    return config.data_dir / "logs" / "chat.log"


async def _warm_up(application: App) -> None:
    """Load the knowledge base before the first question (and say so if it cannot be)."""
    kb = application.kb
    if kb is None:
        return
    try:
        await kb.lookup("hello", "en")
    except AftercareError as exc:
        Console(stderr=True).print(f"knowledge base: {exc}", markup=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def main() -> None:
    for position, arg in enumerate(sys.argv[1:], 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            # Python keeps undecodable bytes as lone surrogates, which no database will store.
            raw = arg.encode("utf-8", "surrogateescape")
            typer.echo(f"error: argument {position} ({raw!r}) is not valid UTF-8", err=True)
            sys.exit(1)
    app()
