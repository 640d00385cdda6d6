"""`aftercare kb drafts|approve|gaps|gap-draft|gap-dismiss`: FAQ drafts reviewed by a person,
and the questions the FAQ could not answer (knowledge gaps) turned into drafts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.params import check_writable_dir
from adapters.cli.runtime import opened_app, run, settings
from bot.core.settings import Settings
from bot.features.faq.desk import KnowledgeDesk
from bot.features.faq.drafts import list_drafts
from indexer.publishing import knowledge_desk, query_encoder

kb_app = typer.Typer(help="Knowledge-base drafts and gaps.", no_args_is_help=True)


@asynccontextmanager
async def _desk(config: Settings) -> AsyncIterator[KnowledgeDesk]:
    async with opened_app(config) as app:
        yield knowledge_desk(app.db, app.clock, config)


@kb_app.command("drafts")
def drafts() -> None:
    """List FAQ drafts waiting for approval (in <kb>/drafts/)."""

    async def work() -> None:
        for path in list_drafts(settings().kb_dir):
            typer.echo(path.as_posix())

    run(work)


@kb_app.command("approve")
def approve(draft_id: Annotated[str, typer.Argument(help="Draft id, e.g. handoff-7.")]) -> None:
    """Move a draft into the knowledge base (its category folder), re-index and publish; the
    knowledge-gap questions it was written for are closed."""

    async def work() -> None:
        config = settings()
        check_writable_dir(config.resolved_index_dir)  # before the draft moves
        async with _desk(config) as desk:
            done = await desk.approve(draft_id)
        for path in done.moved:
            typer.echo(f"approved {path.as_posix()}")
        for line in done.reindexed:
            typer.echo(line)
        if done.closed:
            typer.echo(f"closed {done.closed} knowledge-gap question(s)")

    run(work)


@kb_app.command("gaps")
def gaps(
    limit: Annotated[int, typer.Option(min=1, help="Show the first N clusters.")] = 20,
) -> None:
    """Questions the bot could not answer with confidence, grouped by meaning, most clients
    first. Answer one with `aftercare kb gap-draft ID --answer TEXT`."""

    async def work() -> None:
        config = settings()
        async with _desk(config) as desk:
            found = await desk.gaps(query_encoder(config), limit=limit)
        if not found:
            typer.echo("no open knowledge gaps")
            return
        table = Table("id", "clients", "asked", "last asked", "lang", "question")
        for gap in found:
            table.add_row(
                str(gap.id),
                str(gap.clients),
                str(len(gap.questions)),
                f"{gap.last_asked:%Y-%m-%d %H:%M}",
                ",".join(gap.languages),
                gap.question,
            )
        Console(width=160, highlight=False).print(table)

    run(work)


@kb_app.command("gap-draft")
def gap_draft(
    cluster_id: Annotated[int, typer.Argument(help="Gap id, as `aftercare kb gaps` shows.")],
    answer: Annotated[str, typer.Option(help="The answer, Markdown.")],
    title: Annotated[
        str | None, typer.Option(help="Title (default: the gap's most typical question).")
    ] = None,
) -> None:
    """Write an FAQ draft answering a knowledge gap; its questions become the article's example
    questions. Approve it with `aftercare kb approve`."""

    async def work() -> None:
        config = settings()
        async with _desk(config) as desk:
            found = await desk.cluster_by_id(query_encoder(config), cluster_id)
            draft = await desk.draft_cluster(found, answer, title=title)
        typer.echo(f"draft {draft.id}: {draft.path.as_posix()} ({len(found.questions)} questions)")
        typer.echo(f"approve it with: aftercare kb approve {draft.id}")

    run(work)


@kb_app.command("gap-dismiss")
def gap_dismiss(
    cluster_id: Annotated[int, typer.Argument(help="Gap id, as `aftercare kb gaps` shows.")],
) -> None:
    """Take a knowledge gap off the list without answering it (off-topic, spam)."""

    async def work() -> None:
        config = settings()
        async with _desk(config) as desk:
            found = await desk.cluster_by_id(query_encoder(config), cluster_id)
            await desk.dismiss(found.message_ids)
        typer.echo(f"dismissed {len(found.questions)} question(s)")

    run(work)
