"""The knowledge base the bot asks: loads the built index, refuses a stale one, tiers answers."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from bot.errors import IndexNotReadyError
from bot.i18n import Lang
from bot.knowledge.articles import Article
from bot.knowledge.embedders import Embedder, Vectors, make_embedder
from bot.knowledge.index_files import MANIFEST, Manifest, kb_files, load_index
from bot.knowledge.retrieval import ArticleScore, Fusion, Retriever
from bot.protocols import KbHit, KbResult, Tier
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_HITS = 3
RECHECK_SECONDS = 2.0


def tier_for(score: float, answer_threshold: float, suggest_threshold: float) -> Tier:
    if score >= answer_threshold:
        return Tier.CONFIDENT
    if score >= suggest_threshold:
        return Tier.UNSURE
    return Tier.LOW


class IndexedKnowledgeBase:
    """Implements the KnowledgeBase protocol over an index built by `aftercare index`.

    The index loads on first use (in a worker thread) and is checked again every few seconds:
    a rebuilt index is picked up, a KB edited since the build is refused until re-indexed.
    """

    def __init__(
        self,
        index_dir: Path,
        kb_dir: Path | None,
        embedder: Embedder,
        *,
        answer_threshold: float,
        suggest_threshold: float,
        fusion: Fusion | None = None,
    ) -> None:
        self.index_dir = index_dir
        self.kb_dir = kb_dir
        self.embedder = embedder
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self._fusion = fusion
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._checked_at = float("-inf")
        self._snapshot: tuple[object, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> IndexedKnowledgeBase:
        return cls(
            settings.resolved_index_dir,
            settings.kb_dir,
            make_embedder(settings.embedding_backend, settings.embedding_model),
            answer_threshold=settings.faq_answer_threshold,
            suggest_threshold=settings.faq_suggest_threshold,
        )

    def retriever(self) -> Retriever:
        """The loaded index, reloaded or refused when the files changed. Blocking."""
        with self._lock:
            now = time.monotonic()
            if self._retriever is not None and now - self._checked_at < RECHECK_SECONDS:
                return self._retriever
            snapshot = self._stat()
            if self._retriever is None or snapshot != self._snapshot:
                self._retriever = None
                data = load_index(self.index_dir, self.embedder.name, self.kb_dir)
                self._retriever = Retriever(data, self.embedder, self._fusion)
                self._snapshot = snapshot
                log.info(
                    "knowledge base loaded: %d articles, %d entries",
                    len(self._retriever.article_ids),
                    len(data.entries),
                )
            self._checked_at = now
            return self._retriever

    def _stat(self) -> tuple[object, ...]:
        """Cheap fingerprint of the manifest and the content files (mtime and size)."""
        manifest = self.index_dir / MANIFEST
        if not manifest.is_file():
            raise IndexNotReadyError(
                f"no knowledge-base index in {self.index_dir}; run `aftercare index` to build it"
            )
        stats: list[object] = [manifest.stat().st_mtime_ns]
        if self.kb_dir is not None:
            for path in kb_files(self.kb_dir):
                info = path.stat()
                stats.append((path.as_posix(), info.st_mtime_ns, info.st_size))
        return tuple(stats)

    def check(self) -> Manifest:
        """Load (or re-check) the index now; raises IndexNotReadyError with the fix."""
        return self.retriever().data.manifest

    async def lookup(self, question: str, lang: Lang) -> KbResult:
        return await asyncio.to_thread(self.lookup_sync, question, lang)

    async def section_for(self, article_id: str, question: str, lang: Lang) -> KbHit | None:
        return await asyncio.to_thread(self.section_for_sync, article_id, question, lang)

    def lookup_sync(self, question: str, lang: Lang) -> KbResult:
        retriever = self.retriever()
        ranked, query = retriever.rank(question, limit=MAX_HITS)
        if not ranked:
            return KbResult(Tier.LOW, ())
        tier = tier_for(ranked[0].score, self.answer_threshold, self.suggest_threshold)
        if tier is Tier.CONFIDENT:
            shown = ranked[:1]
        elif tier is Tier.UNSURE:
            shown = [s for s in ranked if s.score >= self.suggest_threshold]
        else:
            shown = ranked
        hits = tuple(h for s in shown if (h := self._hit(retriever, s, lang, query)) is not None)
        return KbResult(tier, hits)

    def section_for_sync(self, article_id: str, question: str, lang: Lang) -> KbHit | None:
        retriever = self.retriever()
        query = retriever.encode(question) if question.strip() else None
        return self._hit(retriever, ArticleScore(article_id, 0.0, 0.0, 0.0), lang, query)

    def _hit(
        self, retriever: Retriever, scored: ArticleScore, lang: Lang, query: Vectors | None
    ) -> KbHit | None:
        articles = retriever.data.articles
        other: Lang = "en" if lang == "zh" else "zh"
        for version in (lang, other):
            article = articles.get((scored.article, version))
            if article is None:
                continue
            entry = retriever.best_section(article.id, version, query)
            if entry is None:
                return _question_hit(article, scored.score)
            section = article.sections[retriever.data.entries[entry].section]
            return KbHit(
                article_id=article.id,
                title=article.title,
                section=section.heading,
                text=section.text,
                source=_source(article, section.line),
                lang=article.lang,
                score=scored.score,
            )
        return None


def _source(article: Article, line: int) -> str:
    if article.links:
        return article.links[0]
    return f"{article.source}:{line}" if line else article.source


def _question_hit(article: Article, score: float) -> KbHit:
    """An article with no sections (an FAQ entry with no answer) cites its first question."""
    text = article.questions[0] if article.questions else article.title
    return KbHit(article.id, article.title, "", text, article.source, article.lang, score)
