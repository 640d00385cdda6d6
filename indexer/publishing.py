"""Build the index from the settings and publish it to the database: what `aftercare index`
runs, and what approving an FAQ draft runs (`SettingsReindexer`, inside the `knowledge_desk`
that the CLI's `kb` commands and the console share)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.core.protocols import Clock
from bot.core.settings import Settings
from bot.features.faq.desk import KnowledgeDesk
from bot.features.faq.gaps import Embed
from bot.knowledge.base import IndexedKnowledgeBase
from bot.knowledge.embedders import Embedder, make_embedder, make_passage_embedder
from bot.knowledge.published import publish, reason
from bot.storage.db import Database
from indexer.build import BuildReport, PassageOptions, build_index, parsed_units
from indexer.content import parse_article, read_kb


def passage_options(config: Settings) -> PassageOptions:
    """build_index's passage-model arguments from the settings."""
    return {
        "passage_embedder": make_passage_embedder(config.passage_model),
        "passage_model_max": config.passage_model_max,
    }


def build_from_settings(
    config: Settings, kb_dir: Path, target: Path, tune: bool | None = None
) -> tuple[BuildReport, str]:
    """Index `kb_dir` into `target` (only changed files embedded again); the report and the
    line that says what was done."""
    units = read_kb(kb_dir, parsed_units(target))
    embedder = make_embedder(config.embedding_backend, config.embedding_model)
    done = build_index(units, target, embedder, tune=tune, **passage_options(config))
    line = (
        f"indexed {done.files} files ({done.embedded_files} embedded, the rest cached): "
        f"{done.chunks} chunks, {done.entries} entries, {embedder.name} model"
        f"{', tuned head' if done.tuned else ''}, {done.seconds:.1f}s -> {done.out}"
    )
    return done, line


async def publish_index(config: Settings, index_dir: Path) -> str:
    """Publish the index built in `index_dir` to the configured database; the line to print,
    also when it could not be published (the local index is written either way)."""
    try:
        db = Database(config.resolved_database_url)
    except (SQLAlchemyError, OSError) as exc:
        return f"not published to the database: {exc}"
    try:
        done = await publish(db, index_dir, now=datetime.now(UTC))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        return (
            f"not published to the database ({reason(exc)}); answering processes keep the index "
            f"published before, or read {index_dir} if none was"
        )
    finally:
        await db.dispose()
    if not done.new:
        return f"already published as index #{done.id} (no change since)"
    return (
        f"published to the database as index #{done.id} ({done.size / 1e6:.1f} MB); every "
        f"answering process picks it up within {config.kb_recheck_seconds:g}s of a question"
    )


class SettingsReindexer:
    """The Reindexer a KnowledgeDesk uses in production: the knowledge base and index of the
    settings, built in a worker thread (embedding is CPU-bound), then published."""

    def __init__(self, config: Settings) -> None:
        self._config = config

    def check(self, paths: Sequence[Path]) -> None:
        for path in paths:
            parse_article(path.read_text(encoding="utf-8"), path.as_posix())

    async def reindex(self) -> list[str]:
        config = self._config
        done, line = await asyncio.to_thread(
            build_from_settings, config, config.kb_dir, config.resolved_index_dir
        )
        return [line, await publish_index(config, done.out)]


def knowledge_desk(db: Database, clock: Clock, config: Settings) -> KnowledgeDesk:
    """The knowledge desk over this knowledge base and database, rebuilding and publishing
    through the indexer: the CLI's `kb gaps|gap-draft|approve` and the console use this one."""
    return KnowledgeDesk(
        db,
        clock,
        config.kb_dir,
        SettingsReindexer(config),
        answer_threshold=config.faq_answer_threshold,
    )


def query_encoder(config: Settings, kb: object = None) -> Embed:
    """The question encoder gaps are clustered with: the served knowledge base's own when
    there is one (no second model in memory), else the configured one, loaded once."""
    if isinstance(kb, IndexedKnowledgeBase):
        return kb.embedder.encode_queries
    return _loaded(config.embedding_backend, config.embedding_model).encode_queries


@cache
def _loaded(backend: str, model: Path | None) -> Embedder:
    return make_embedder(backend, model)
