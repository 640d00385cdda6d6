"""`aftercare kb drafts|approve`: FAQ drafts learned from staff answers, reviewed by a person."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.kb import passage_options, publish_index
from adapters.cli.params import check_writable_dir
from adapters.cli.runtime import run, settings
from bot.features.faq.drafts import approve as approve_draft
from bot.features.faq.drafts import draft_files, list_drafts
from bot.knowledge.embedders import make_embedder
from indexer.build import build_index, parsed_units
from indexer.content import parse_article, read_kb

kb_app = typer.Typer(help="Knowledge-base drafts.", no_args_is_help=True)


@kb_app.command("drafts")
def drafts() -> None:
    """List FAQ drafts waiting for approval (in <kb>/drafts/)."""

    async def work() -> None:
        for path in list_drafts(settings().kb_dir):
            typer.echo(path.as_posix())

    run(work)


@kb_app.command("approve")
def approve(draft_id: Annotated[str, typer.Argument(help="Draft id, e.g. handoff-7.")]) -> None:
    """Move a draft into the knowledge base (its category folder), re-index and publish."""

    async def work() -> None:
        config = settings()
        check_writable_dir(config.resolved_index_dir)  # before the draft moves
        for path in draft_files(config.kb_dir, draft_id):
            parse_article(path.read_text(encoding="utf-8"), path.as_posix())  # refuse a bad draft
        moved = approve_draft(config.kb_dir, draft_id)
        for path in moved:
            typer.echo(f"approved {path.as_posix()}")
        embedder = make_embedder(config.embedding_backend, config.embedding_model)
        done = build_index(
            read_kb(config.kb_dir, parsed_units(config.resolved_index_dir)),
            config.resolved_index_dir,
            embedder,
            **passage_options(config),
        )
        typer.echo(f"indexed {done.files} files ({done.embedded_files} embedded) -> {done.out}")
        typer.echo(await publish_index(config, done.out))

    run(work)
