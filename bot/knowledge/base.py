"""The knowledge base the bot asks: serves the last good index (the newest published to the
database, else the local build), picks up a newer one without a restart, tiers answers."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.core.errors import IndexNotReadyError
from bot.core.i18n import Lang
from bot.core.protocols import KbHit, KbResult, Tier
from bot.core.settings import Settings
from bot.knowledge import published
from bot.knowledge.articles import Article, Section
from bot.knowledge.embedders import Embedder, make_embedder, make_passage_embedder
from bot.knowledge.index_files import (
    FIX,
    MANIFEST,
    Manifest,
    changed_files,
    kb_files,
    load_index,
)
from bot.knowledge.passages import excerpt
from bot.knowledge.retrieval import ArticleScore, Fusion, Pick, Ranking, Retriever
from bot.storage.db import Database

log = logging.getLogger(__name__)

MAX_HITS = 3
# A section longer than this is shown as its best-matching passages (never rewritten).
SHOWN_CHARS = 900
RECHECK_SECONDS = 2.0
PUBLISHED_DIR = "published-index"  # under the data dir: published builds, unpacked

_DB_ERRORS = (SQLAlchemyError, OSError, TimeoutError)


def tier_for(score: float, answer_threshold: float, suggest_threshold: float) -> Tier:
    if score >= answer_threshold:
        return Tier.CONFIDENT
    if score >= suggest_threshold:
        return Tier.UNSURE
    return Tier.LOW


@dataclass(frozen=True)
class ServedIndex:
    """The index answers come from, read from `directory`; `key` tells one build from the next
    (a published build by its id and digest, a local one by its manifest file)."""

    retriever: Retriever
    directory: Path
    key: tuple[object, ...]
    published_id: int | None = None

    @property
    def manifest(self) -> Manifest:
        return self.retriever.data.manifest

    def __str__(self) -> str:
        where = (
            self.directory if self.published_id is None else f"published index #{self.published_id}"
        )
        return f"{where} (built {self.manifest.built_at})"


@dataclass(frozen=True)
class _Source:
    """An index that could be served: a local build, or a published one unpacked in
    `directory` (fetched from the database first when `fetch` is set and it is not there yet)."""

    directory: Path
    published_id: int | None = None
    fetch: published.Newest | None = None


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

    With a database, the index served is the newest one published there for this model,
    unpacked under `published_dir`; with none published (or no database), the local build in
    `index_dir`. It loads on first use; a missing index, or one from another model or format,
    is refused. At most every `recheck_seconds` a question starts a re-check in the background
    (one small query): a newer index is swapped in while answers go on from the one in memory.
    A newer index that cannot be loaded, a database that cannot be read, and KB files edited
    (or broken) since the served index was built are logged once per change and answered
    around: the last good index stays.
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
        db: Database | None = None,
        published_dir: Path | None = None,
        passage_embedder: Embedder | None = None,
    ) -> None:
        self.index_dir = index_dir
        self.kb_dir = kb_dir
        self.embedder = embedder
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.recheck_seconds = recheck_seconds
        self.db = db
        self.published_dir = published_dir or index_dir.parent / PUBLISHED_DIR
        self._fusion = fusion
        self.passage_embedder = passage_embedder
        self._served: ServedIndex | None = None
        self._failure: IndexNotReadyError | None = None
        self._checked_at = -math.inf
        self._check: asyncio.Task[None] | None = None
        self._content_seen: tuple[object, ...] = ()
        self._unusable: set[int] = set()  # published ids that failed to unpack or load
        self._reports = _OncePerChange()

    @classmethod
    def from_settings(cls, settings: Settings, db: Database | None = None) -> IndexedKnowledgeBase:
        """The bot's knowledge base; `db` (the app's database) is where published indexes are
        looked for, every AFTERCARE_KB_RECHECK_SECONDS at most."""
        return cls(
            settings.resolved_index_dir,
            settings.kb_dir,
            make_embedder(
                settings.embedding_backend,
                settings.embedding_model,
                threads=2 if settings.passage_model == "none" else 1,
            ),
            answer_threshold=settings.faq_answer_threshold,
            suggest_threshold=settings.faq_suggest_threshold,
            recheck_seconds=settings.kb_recheck_seconds,
            db=db,
            published_dir=settings.data_dir / PUBLISHED_DIR,
            passage_embedder=make_passage_embedder(settings.passage_model),
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
        """Re-check now and wait: swap in a newer index, report KB files changed since."""
        await asyncio.shield(self._start_check())

    async def close(self) -> None:
        """Let a re-check under way finish, before the database it reads is disposed."""
        if self._checking():
            assert self._check is not None
            await asyncio.wait({self._check})

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
            candidates = await self._candidates()
            await self._serve_best(candidates)
            if candidates:
                self._reports.resolved("load", "knowledge base: the newest index loads again")
        except IndexNotReadyError as exc:
            if self._served is None:
                self._failure = exc
                return
            self._reports.problem(
                "load", str(exc), f"knowledge base: {exc}; still answering from {self._served}"
            )
        if self._served is not None:
            await self._check_content(self._served)

    async def _candidates(self) -> list[_Source]:
        """What to serve, best first: the newest published build, else the local one. Empty
        (keep what is served) while the database cannot be read or its newest is unusable;
        with nothing served yet, whatever is on this disk comes after."""
        if self.db is None:
            return [_Source(self.index_dir)]
        try:
            newest = await published.newest(self.db, self.embedder.name)
        except _DB_ERRORS as exc:
            self._reports.problem(
                "database",
                True,
                "knowledge base: cannot look for a newer index in the database "
                f"({published.reason(exc)}); "
                + (
                    f"still answering from {self._served}"
                    if self._served
                    else "answering from this machine's copy if it has one"
                ),
            )
            return [] if self._served else await asyncio.to_thread(self._on_disk)
        self._reports.resolved("database", "knowledge base: the database can be read again")
        if newest is None:
            return [_Source(self.index_dir)]
        if newest.id in self._unusable:
            return [] if self._served else await asyncio.to_thread(self._on_disk)
        target = self.published_dir / f"{newest.id}-{newest.sha256[:16]}"
        first = [_Source(target, newest.id, newest)]
        return first if self._served else first + await asyncio.to_thread(self._on_disk)

    def _on_disk(self) -> list[_Source]:
        """The local build and the last published build unpacked here, newest build first."""
        found = [_Source(self.index_dir)]
        unpacked = [
            _Source(path, number)
            for path, number in _unpacked(self.published_dir)
            if number not in self._unusable and (path / MANIFEST).is_file()
        ]
        if unpacked:
            found.append(max(unpacked, key=lambda source: source.published_id or 0))

        def built_at(source: _Source) -> str:
            try:
                return Manifest.read(source.directory).built_at
            except IndexNotReadyError:
                return ""

        return sorted(found, key=built_at, reverse=True)

    async def _serve_best(self, candidates: list[_Source]) -> None:
        """Swap in the first candidate that loads, unless it is the one served. With an index
        served, only the first is tried; its error is raised."""
        errors: list[IndexNotReadyError] = []
        for source in candidates:
            try:
                key = await asyncio.to_thread(_key, source)
                if self._served is not None and key == self._served.key:
                    return
                served = await self._open(source, key)
            except IndexNotReadyError as exc:
                if self._served is not None:
                    raise
                errors.append(exc)
                continue
            self._swap(served)
            if served.published_id is not None:
                await asyncio.to_thread(_prune, self.published_dir, served.published_id)
            return
        if errors:
            raise errors[0]

    async def _open(self, source: _Source, key: tuple[object, ...]) -> ServedIndex:
        """Load `source` in a worker thread, fetching and unpacking a published build first."""
        newest = source.fetch
        if newest is not None and not (source.directory / MANIFEST).is_file():
            assert self.db is not None
            try:
                archive = await published.fetch(self.db, newest.id)
            except _DB_ERRORS as exc:
                raise IndexNotReadyError(
                    f"published index #{newest.id} could not be read ({published.reason(exc)})"
                ) from None
            if archive is None:
                raise IndexNotReadyError(f"published index #{newest.id} was deleted meanwhile")
            try:
                await asyncio.to_thread(published.unpack, archive, newest.sha256, source.directory)
            except IndexNotReadyError:
                self._unusable.add(newest.id)
                raise
        try:
            retriever = await asyncio.to_thread(self._load, source.directory)
        except IndexNotReadyError:
            if newest is not None:
                self._unusable.add(newest.id)
            raise
        return ServedIndex(retriever, source.directory, key, source.published_id)

    def _swap(self, served: ServedIndex) -> None:
        self._served, self._failure = served, None
        log.info(
            "knowledge base: answering from %s: %d articles, %d entries",
            served,
            len(served.retriever.article_ids),
            len(served.retriever.data.entries),
        )

    def _load(self, directory: Path) -> Retriever:
        return Retriever(
            load_index(directory, self.embedder.name),
            self.embedder,
            self._fusion,
            self.passage_embedder,
        )

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
            f"was built ({shown}); still answering from {served}. Run `aftercare index` to "
            "rebuild it; it names any broken file and line.",
        )

    async def lookup(self, question: str, lang: Lang, about: tuple[str, ...] = ()) -> KbResult:
        served = await self.served()
        return await asyncio.to_thread(self._lookup, served.retriever, question, lang, about)

    async def section_for(
        self, article_id: str, question: str, lang: Lang, about: tuple[str, ...] = ()
    ) -> KbHit | None:
        served = await self.served()
        return await asyncio.to_thread(
            self._section_for, served.retriever, article_id, question, lang, about
        )

    def _lookup(
        self, retriever: Retriever, question: str, lang: Lang, about: tuple[str, ...] = ()
    ) -> KbResult:
        ranking = retriever.rank(question, limit=MAX_HITS)
        ranked = ranking.articles
        if not ranked:
            return KbResult(Tier.LOW, ())
        tier = tier_for(ranked[0].score, self.answer_threshold, self.suggest_threshold)
        if tier is Tier.CONFIDENT:
            shown = ranked[:1]
        elif tier is Tier.UNSURE:
            shown = [s for s in ranked if s.score >= self.suggest_threshold]
        else:
            shown = ranked
        hits = tuple(
            h for s in shown if (h := hit_for(retriever, s, lang, ranking, about)) is not None
        )
        return KbResult(tier, hits)

    def _section_for(
        self,
        retriever: Retriever,
        article_id: str,
        question: str,
        lang: Lang,
        about: tuple[str, ...],
    ) -> KbHit | None:
        ranking = retriever.rank(question, limit=1) if question.strip() else None
        scored = ArticleScore(article_id, 0.0, 0.0, 0.0)
        return hit_for(retriever, scored, lang, ranking, about)


def hit_for(
    retriever: Retriever,
    scored: ArticleScore,
    lang: Lang,
    ranking: Ranking | None,
    about: tuple[str, ...] = (),
) -> KbHit | None:
    """The article of `scored` in `lang` (else its other language) as a hit: the section that
    answers the question of `ranking`, a long one cut to its best-matching passages; with
    `about`, the asker's own section where the article has one per case (see own_section)."""
    articles = retriever.data.articles
    other: Lang = "en" if lang == "zh" else "zh"
    for version in (lang, other):
        article = articles.get((scored.article, version))
        if article is None:
            continue
        pick = retriever.best_section(article.id, version, ranking)
        if pick is None:
            return _question_hit(article, scored.score)
        own = own_section(article, about, ranking.question if ranking else "")
        if own is not None and own != pick.section:
            spans = retriever.spans(article.id, version, own)
            pick = Pick(own, spans[0][0] if spans else None)
        section = article.sections[pick.section]
        spans = retriever.spans(article.id, version, pick.section)
        best = next((i for i, e in enumerate(spans) if e[0] == pick.entry), 0)
        text = excerpt(section.text, [span for _, span in spans], best, SHOWN_CHARS)
        return KbHit(
            article_id=article.id,
            title=article.title,
            section=section.trail if section.path else "",
            text=text,
            source=_source(article, section),
            lang=article.lang,
            score=scored.score,
        )
    return None


def own_section(article: Article, about: tuple[str, ...], question: str) -> int | None:
    """The section for the asker's own case: where at least two sections' headings each name a
    different case of the same kind (`about` holds the asker's, e.g. their tier "gold"; the
    others are found as the headings' differing words), one names the asker's, and the
    question names none of the cases (a gold client asking about bronze gets bronze)."""
    if not about:
        return None
    words = [w.casefold() for w in about if w]
    mine = [
        i for i, s in enumerate(article.sections) if any(w in s.trail.casefold() for w in words)
    ]
    if len(mine) != 1:
        return None
    pattern = _case_pattern(article.sections[mine[0]].trail, words)
    if pattern is None:
        return None
    cases = {
        m.group(1).casefold()
        for s in article.sections
        if (m := pattern.fullmatch(s.trail.casefold())) is not None
    }
    if len(cases) < 2:
        return None
    asked = question.casefold()
    if any(case in asked for case in cases if case not in words):
        return None
    return mine[0]


def _case_pattern(trail: str, words: list[str]) -> re.Pattern[str] | None:
    """The heading with the asker's word as a wildcard: "gold tier sla targets" gives
    "(.+?) tier sla targets", which "silver tier sla targets" also matches."""
    lowered = trail.casefold()
    for word in words:
        at = lowered.find(word)
        if at >= 0:
            return re.compile(
                re.escape(lowered[:at]) + r"(\S+?)" + re.escape(lowered[at + len(word) :])
            )
    return None


def _source(article: Article, section: Section) -> str:
    """Where to read more: the article's link, else its file with the page (paged documents)
    or line."""
    if article.links:
        return article.links[0]
    if section.page:
        return f"{article.source}, p. {section.page}"
    return f"{article.source}:{section.line}" if section.line else article.source


def _question_hit(article: Article, score: float) -> KbHit:
    """An article with no sections (an FAQ entry with no answer) cites its first question."""
    text = article.questions[0] if article.questions else article.title
    return KbHit(article.id, article.title, "", text, article.source, article.lang, score)


def _key(source: _Source) -> tuple[object, ...]:
    """A published build is known by its id and digest (its directory's name), a local one by
    its manifest file's identity."""
    if source.published_id is not None:
        return ("published", source.directory.name)
    try:
        info = (source.directory / MANIFEST).stat()
    except FileNotFoundError:
        raise IndexNotReadyError(f"no knowledge-base index in {source.directory}; {FIX}") from None
    return ("dir", str(source.directory), info.st_ino, info.st_mtime_ns, info.st_size)


def _unpacked(published_dir: Path) -> list[tuple[Path, int]]:
    """Published builds unpacked here (directories named `<id>-<sha256 prefix>`), with ids."""
    found = []
    for path in published_dir.iterdir() if published_dir.is_dir() else ():
        number, _, digest = path.name.partition("-")
        if number.isdigit() and digest:
            found.append((path, int(number)))
    return found


def _prune(published_dir: Path, current: int) -> None:
    """Remove builds older than the one now served: it is in memory, and they are superseded."""
    for path, number in _unpacked(published_dir):
        if number < current:
            shutil.rmtree(path, ignore_errors=True)


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
