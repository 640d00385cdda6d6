"""The knowledge desk the console uses: the same KnowledgeDesk the CLI's `kb gaps|gap-draft|
approve` use, rebuilding and publishing through the indexer, embedding with the served model."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.app import App
from bot.features.faq.desk import KnowledgeDesk
from bot.features.faq.gaps import Embed
from bot.knowledge.base import IndexedKnowledgeBase
from bot.knowledge.embedders import Embedder, make_embedder
from indexer.publishing import SettingsReindexer


def desk_of(app: App) -> KnowledgeDesk:
    return KnowledgeDesk(
        app.db,
        app.clock,
        app.settings.kb_dir,
        SettingsReindexer(app.settings),
        answer_threshold=app.settings.faq_answer_threshold,
    )


def embed_of(app: App) -> Embed:
    """The served knowledge base's query model; else the configured one, loaded once."""
    if isinstance(app.kb, IndexedKnowledgeBase):
        return app.kb.embedder.encode_queries
    return _loaded(app.settings.embedding_backend, app.settings.embedding_model).encode_queries


@cache
def _loaded(backend: str, model: Path | None) -> Embedder:
    return make_embedder(backend, model)
