"""Hybrid retrieval: dense (FAISS inner product) and BM25 scores per entry, fused per article;
then, within the chosen article, the section and passage that answer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bot.core.i18n import Lang
from bot.knowledge.embedders import Embedder, Vectors
from bot.knowledge.index_files import IndexData, entry_vectors
from bot.knowledge.tokens import tokenize

DENSE_CANDIDATES = 512
HEAD_SCALE = 5.0
HEAD_WEIGHT = 0.3
# How a section of the chosen article is scored (Retriever.best_section), chosen on the
# starter KB's held-out section questions (val) and manual_tv val: its best passage, plus the
# same section's best passage in the article's other language (when both versions have the
# same sections: a question meets the words of either), plus BM25.
SECTION_OTHER_LANG = 1.0
SECTION_BM25 = 0.3
# With the passage model's vectors (e5; their similarities are closer together): its best
# passage plus a little BM25; the other language did not help there.
PASSAGE_MODEL_BM25 = 0.1
# A second opinion on the article: when the passage model's best passage belongs to another
# article than the one ranked first, that article's score is lowered by this much, so it is
# answered outright only when it clears the answer threshold by this margin (else "did you
# mean"). Measured on val (starter KB, default threshold): confident answers from the wrong
# article 0.089 -> 0.044 (kb_sections) and 0.044 -> 0.028 (kb_eval), right ones 0.778 -> 0.767
# and 0.833 -> 0.794; requiring agreement outright cut right answers by up to 16 points.
DISAGREEMENT_PENALTY = 0.09
PASSAGE_MODEL_EMBEDDING = 0.0


@dataclass(frozen=True)
class Fusion:
    """How dense and BM25 evidence combine into one article score (chosen with `aftercare eval`).

    dense = (best entry similarity + mean of the article's k best) / 2, with k = one in
    `entries_per_vote` of its entries, between 1 and `top_k`: with many example questions
    (an FAQ with paraphrases), several agreeing ones beat a single stray one; a small article
    (a title, three questions, a few sections) is scored by its best entry alone.
    score = dense + bm25_weight * bm25 / (bm25 + bm25_half): the BM25 term saturates, so a
    query with no lexical match keeps its dense score and one with strong overlap gains at most
    `bm25_weight`. Measured on CLINC150 val (in-scope accuracy + OOS recall):
    max 1.753, max+BM25 1.774, this 1.817; a pure top-5 mean (1.827) diluted exact matches of
    a small article's example questions too much.
    """

    top_k: int = 5
    entries_per_vote: int = 20
    bm25_weight: float = 0.2
    bm25_half: float = 5.0


@dataclass(frozen=True)
class ArticleScore:
    article: str
    score: float
    dense: float
    bm25: float


FloatArray = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class Ranking:
    """A question's articles, best first, and the evidence per entry that picks the section."""

    articles: list[ArticleScore]
    query: Vectors
    question: str
    similarity: FloatArray  # per entry: cosine similarity to the question
    lexical: FloatArray  # per entry: BM25 saturated into [0, 1)
    # Per entry, by the passage model (-1 for entries that are not passages); None without it.
    passage_similarity: FloatArray | None = None


@dataclass(frozen=True)
class Pick:
    """The section of an article that answers, and the passage entry that matched best."""

    section: int
    entry: int | None


class Retriever:
    """Ranks the articles of one loaded index for a question. Synchronous and CPU-bound."""

    def __init__(
        self,
        data: IndexData,
        embedder: Embedder,
        fusion: Fusion | None = None,
        passage_embedder: Embedder | None = None,
    ) -> None:
        self.data = data
        self.embedder = embedder
        # The passage model's vectors serve only with that model at hand to encode questions.
        usable = passage_embedder is not None and data.passages is not None
        self.passage_embedder = passage_embedder if usable else None
        self._passage_entries = np.array(
            [i for i, e in enumerate(data.entries) if e.kind == "passage"], dtype=np.int64
        )
        self.fusion = fusion or Fusion()
        self.article_ids = sorted({e.article for e in data.entries})
        position = {a: i for i, a in enumerate(self.article_ids)}
        self._entry_article = np.array([position[e.article] for e in data.entries], dtype=np.int64)
        counts = np.bincount(self._entry_article, minlength=len(self.article_ids))
        self._votes = np.clip(counts // self.fusion.entries_per_vote, 1, self.fusion.top_k)
        self._vectors = entry_vectors(data.dense)  # searched by _dense
        self._vocab: dict[str, Any] = dict(data.bm25.vocab_dict)
        # (article, lang) -> per section: its passage entries.
        self._passages: dict[tuple[str, str], dict[int, list[int]]] = {}
        for i, entry in enumerate(data.entries):
            if entry.kind == "passage":
                key = (entry.article, entry.lang)
                self._passages.setdefault(key, {}).setdefault(entry.section, []).append(i)

    def encode(self, question: str) -> Vectors:
        return self.embedder.encode_queries([question])

    def rank(self, question: str, limit: int = 10) -> Ranking:
        """The best `limit` articles, best first, with the evidence to pick their sections."""
        query = self.encode(question)
        n_articles = len(self.article_ids)
        n_entries = len(self.data.entries)
        per_entry = np.zeros(n_entries, dtype=np.float32)
        if n_articles == 0:
            return Ranking([], query, question, per_entry, per_entry)
        similarity = (self._vectors @ query[0]).astype(np.float32)
        dense = self._dense(similarity)
        bm25 = np.zeros(n_articles, dtype=np.float32)
        words = [w for w in tokenize(question) if w in self._vocab]
        if words:
            per_entry = np.asarray(self.data.bm25.get_scores(words), dtype=np.float32)
            np.maximum.at(bm25, self._entry_article, per_entry)
        f = self.fusion
        lexical = per_entry / (per_entry + f.bm25_half)
        fused = dense + f.bm25_weight * bm25 / (bm25 + f.bm25_half)
        if self.data.head is not None:
            logits = HEAD_SCALE * (query[0] @ self.data.head)
            probs = np.exp(logits - logits.max())
            fused = (1 - HEAD_WEIGHT) * fused + HEAD_WEIGHT * probs / probs.sum()
        order = np.argsort(-fused)[:limit]
        # The second opinion costs the passage model's encoding on every question; it also
        # serves the choice of section below.
        by_passage = self._passage_similarity(question)
        ranked = [
            ArticleScore(self.article_ids[i], float(fused[i]), float(dense[i]), float(bm25[i]))
            for i in order
        ]
        if by_passage is not None and ranked:
            closest = int(self._entry_article[int(np.argmax(by_passage))])
            if closest != int(order[0]):
                ranked[0] = replace(ranked[0], score=ranked[0].score - DISAGREEMENT_PENALTY)
        return Ranking(ranked, query, question, similarity, lexical, by_passage)

    def _passage_similarity(self, question: str) -> FloatArray | None:
        if (
            self.passage_embedder is None
            or self.data.passages is None
            or not self._passage_entries.size
        ):
            return None
        query = self.passage_embedder.encode_queries([question])[0]
        per_entry = np.full(len(self.data.entries), -1.0, dtype=np.float32)
        per_entry[self._passage_entries] = self.data.passages @ query
        return per_entry

    def _dense(self, similarity: FloatArray) -> FloatArray:
        """Per article, (max + mean of its k nearest entries) / 2 over the nearest candidates.

        Entries beyond the candidate list count as the last candidate's similarity, an upper
        bound on theirs, which only matters for articles far down the ranking.

        The search is exact inner product over the flat index's vectors, as FAISS's
        IndexFlatIP computes it, done as one BLAS matrix-vector product: for one query that is
        about twice as fast as FAISS's single-query scan (1.6 vs 3.5 ms over 14,000 x 512).
        """
        n_articles = len(self.article_ids)
        k = min(DENSE_CANDIDATES, len(similarity))
        if k == 0:
            return np.full(n_articles, -1.0, dtype=np.float32)
        candidates = np.argpartition(-similarity, k - 1)[:k]
        candidates = candidates[np.argsort(-similarity[candidates], kind="stable")]
        sims = similarity[candidates].astype(np.float64)
        floor = float(sims[-1])
        # Group the candidates by article, best first within each article.
        articles = self._entry_article[candidates]
        by_article = np.argsort(articles, kind="stable")
        articles, sims = articles[by_article], sims[by_article]
        starts = np.flatnonzero(np.r_[True, articles[1:] != articles[:-1]])
        sizes = np.diff(np.r_[starts, len(articles)])
        rank = np.arange(len(articles)) - np.repeat(starts, sizes)
        counted = rank < self._votes[articles]
        total = np.bincount(articles[counted], weights=sims[counted], minlength=n_articles)
        seen = np.bincount(articles[counted], minlength=n_articles)
        best = np.full(n_articles, floor, dtype=np.float64)
        best[articles[starts]] = sims[starts]
        mean = (total + (self._votes - seen) * floor) / self._votes
        return ((best + mean) / 2).astype(np.float32)

    def spans(self, article: str, lang: str, section: int) -> list[tuple[int, tuple[int, int]]]:
        """The passages of one section: entry index and character span, in text order."""
        entries = self.data.entries
        found = self._passages.get((article, lang), {}).get(section, [])
        return [(i, (entries[i].start, entries[i].end)) for i in found]

    def best_section(self, article: str, lang: Lang, ranking: Ranking | None) -> Pick | None:
        """The section of `article` in `lang` that answers the question of `ranking` (the first
        section without one); None when that version has no sections."""
        versions = self.data.articles
        version = versions.get((article, lang))
        if version is None or not version.sections:
            return None
        if ranking is None:
            return Pick(0, None)
        other_lang: Lang = "en" if lang == "zh" else "zh"
        other = versions.get((article, other_lang))
        parallel = other is not None and len(other.sections) == len(version.sections)
        own = self._passages.get((article, lang), {})
        theirs = self._passages.get((article, other_lang), {}) if parallel else {}
        sims, lexical = ranking.similarity, ranking.lexical
        shown = [i for i in own if not version.is_lead(i)]
        model = ranking.passage_similarity if len(shown) > 1 else None
        best: tuple[float, int, int | None] | None = None
        for index in range(len(version.sections)):
            entries = own.get(index)
            if not entries or version.is_lead(index):
                continue
            if model is not None:
                scores = (
                    model[entries]
                    + PASSAGE_MODEL_BM25 * lexical[entries]
                    + PASSAGE_MODEL_EMBEDDING * sims[entries]
                )
                top = int(np.argmax(scores))
                if best is None or scores[top] > best[0]:
                    best = (float(scores[top]), index, entries[top])
                continue
            scores = sims[entries] + SECTION_BM25 * lexical[entries]
            top = int(np.argmax(scores))
            value = float(scores[top])
            mirror = theirs.get(index)
            value += SECTION_OTHER_LANG * (
                float(sims[mirror].max()) if mirror else float(sims[entries[top]])
            )
            if best is None or value > best[0]:
                best = (value, index, entries[top])
        if best is None:  # only a lead (or sections without passages)
            lead = own.get(0)
            return Pick(0, lead[int(np.argmax(sims[lead]))] if lead else None)
        return Pick(best[1], best[2])
