"""The knowledge base the bot asks: serves the last good index, picks up a rebuilt one, tiers
answers."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

from bot.errors import IndexNotReadyError
from bot.i18n import Lang
from bot.knowledge.articles import Article
from bot.knowledge.embedders import Embedder, Vectors, make_embedder
from bot.knowledge.index_files import (
    FIX,
    MANIFEST,
    Manifest,
    changed_files,
    kb_files,
    load_index,
)
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


@dataclass(frozen=True)
class ServedIndex:
    """The index answers come from: loaded from `directory`; `key` tells a rebuild apart."""

    retriever: Retriever
    directory: Path
    key: tuple[object, ...]

    @property
    def manifest(self) -> Manifest:
        return self.retriever.data.manifest


class _OncePerChange:
    """Logs a problem when it appears or changes, not on every re-check."""

    def __init__(self) -> None:
        self._seen: dict[str, object] = {}

    def problem(self, topic: str, identity: object, message: str) -> None:
        if self._seen.get(topic) != identity:
            self._seen[topic] = identity
            log.warning("%s", message)

    def resolved(self, topic: str, message: str) -> None:
        if self._seen.pop(topic, None) is not None:
            log.info("%s", message)


class IndexedKnowledgeBase:
    """Implements the KnowledgeBase protocol over an index built by `aftercare index`.

    The index loads on first use (in a worker thread); a missing one, or one from another
    model or format, is refused. Every `recheck_seconds` a question starts a re-check in the
    background: a rebuilt index is swapped in, while answers go on from the one in memory. An
    index that cannot be loaded, and KB files edited (or broken) since the served index was
    built, are logged once per change and answered around: the last good index stays.
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
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.index_dir = index_dir
        self.kb_dir = kb_dir
        self.embedder = embedder
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.recheck_seconds = recheck_seconds
        self._fusion = fusion
        self._served: ServedIndex | None = None
        self._failure: IndexNotReadyError | None = None
        self._checked_at = -math.inf
        self._check: asyncio.Task[None] | None = None
        self._content_seen: tuple[object, ...] = ()
        self._reports = _OncePerChange()

    @classmethod
    def from_settings(cls, settings: Settings) -> IndexedKnowledgeBase:
        return cls(
            settings.resolved_index_dir,
            settings.kb_dir,
            make_embedder(settings.embedding_backend, settings.embedding_model),
            answer_threshold=settings.faq_answer_threshold,
            suggest_threshold=settings.faq_suggest_threshold,
            recheck_seconds=settings.kb_recheck_seconds,
        )

    async def served(self) -> ServedIndex:
        """The index to answer from now; the first call loads it and raises IndexNotReadyError
        (naming the fix) when there is none usable. A due re-check runs in the background."""
        due = time.monotonic() - self._checked_at >= self.recheck_seconds
        if self._served is not None:
            if due:
                self._start_check()
            return self._served
        if due or self._checking():
            await self.refresh()
        if self._served is None:
            raise self._failure or IndexNotReadyError(f"no knowledge-base index; {FIX}")
        return self._served

    async def refresh(self) -> None:
        """Re-check now and wait: swap in a rebuilt index, report KB files changed since."""
        await asyncio.shield(self._start_check())

    def _checking(self) -> bool:
        return self._check is not None and not self._check.done()

    def _start_check(self) -> asyncio.Task[None]:
        if self._check is None or self._check.done():
            self._checked_at = time.monotonic()
            self._check = asyncio.create_task(self._recheck())
            self._check.add_done_callback(_log_crash)
        return self._check

    async def _recheck(self) -> None:
        try:
            key = await asyncio.to_thread(self._local_key)
            if self._served is None or key != self._served.key:
                retriever = await asyncio.to_thread(self._load, self.index_dir)
                self._swap(ServedIndex(retriever, self.index_dir, key))
            self._reports.resolved("load", f"knowledge base: {self.index_dir} loads again")
        except IndexNotReadyError as exc:
            if self._served is None:
                self._failure = exc
                return
            self._reports.problem(
                "load",
                str(exc),
                f"knowledge base: {exc}; still answering from the index built "
                f"{self._served.manifest.built_at}",
            )
        if self._served is not None:
            await self._check_content(self._served)

    def _swap(self, served: ServedIndex) -> None:
        self._served, self._failure = served, None
        log.info(
            "knowledge base loaded from %s: %d articles, %d entries, built %s",
            served.directory,
            len(served.retriever.article_ids),
            len(served.retriever.data.entries),
            served.manifest.built_at,
        )

    def _load(self, directory: Path) -> Retriever:
        return Retriever(load_index(directory, self.embedder.name), self.embedder, self._fusion)

    def _local_key(self) -> tuple[object, ...]:
        """What tells one build in index_dir from the next: its manifest's file identity."""
        try:
            info = (self.index_dir / MANIFEST).stat()
        except FileNotFoundError:
            raise IndexNotReadyError(
                f"no knowledge-base index in {self.index_dir}; {FIX}"
            ) from None
        return ("dir", str(self.index_dir), info.st_ino, info.st_mtime_ns, info.st_size)

    async def _check_content(self, served: ServedIndex) -> None:
        """Warn once per change while the KB files differ from what the served index holds."""
        kb_dir = self.kb_dir
        if kb_dir is None or not kb_dir.is_dir():
            return
        try:
            stamp = (served.key, *await asyncio.to_thread(_stat_files, kb_dir))
            if stamp == self._content_seen:
                return
            changed = await asyncio.to_thread(changed_files, served.manifest, kb_dir)
        except OSError:  # a file renamed or removed while we read: look again next time
            return
        self._content_seen = stamp
        if not changed:
            self._reports.resolved("content", "knowledge base: the index matches the files again")
            return
        names = list(changed)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        self._reports.problem(
            "content",
            tuple(changed.items()),
            f"knowledge base: {len(names)} file(s) in {kb_dir} changed since the index in use "
            f"was built ({shown}); still answering from that index (built "
            f"{served.manifest.built_at}). Run `aftercare index` to rebuild it; it names any "
            "broken file and line.",
        )

    async def lookup(self, question: str, lang: Lang) -> KbResult:
        served = await self.served()
        return await asyncio.to_thread(self._lookup, served.retriever, question, lang)

    async def section_for(self, article_id: str, question: str, lang: Lang) -> KbHit | None:
        served = await self.served()
        return await asyncio.to_thread(
            self._section_for, served.retriever, article_id, question, lang
        )

    def _lookup(self, retriever: Retriever, question: str, lang: Lang) -> KbResult:
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

    def _section_for(
        self, retriever: Retriever, article_id: str, question: str, lang: Lang
    ) -> KbHit | None:
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


def _stat_files(kb_dir: Path) -> list[tuple[str, int, int]]:
    """Cheap fingerprint of the content files: path, mtime and size."""
    stats = []
    for path in kb_files(kb_dir):
        info = path.stat()
        stats.append((path.as_posix(), info.st_mtime_ns, info.st_size))
    return stats


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("knowledge base: re-check failed", exc_info=exc)
