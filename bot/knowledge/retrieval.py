"""Hybrid retrieval: dense (FAISS inner product) and BM25 scores per entry, fused per article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.knowledge.embedders import Embedder, Vectors
from bot.knowledge.index_files import IndexData, entry_vectors
from bot.knowledge.tokens import tokenize

DENSE_CANDIDATES = 256


@dataclass(frozen=True)
class Fusion:
    """How dense and BM25 evidence combine into one article score (chosen with `aftercare eval`).

    score = dense + bm25_weight * bm25 / (bm25 + bm25_half): the BM25 term saturates, so a
    query with no lexical match keeps its dense score and one with strong overlap gains at most
    `bm25_weight`.
    """

    bm25_weight: float = 0.1
    bm25_half: float = 5.0


@dataclass(frozen=True)
class ArticleScore:
    article: str
    score: float
    dense: float
    bm25: float


class Retriever:
    """Ranks the articles of one loaded index for a question. Synchronous and CPU-bound."""

    def __init__(self, data: IndexData, embedder: Embedder, fusion: Fusion | None = None) -> None:
        self.data = data
        self.embedder = embedder
        self.fusion = fusion or Fusion()
        self.article_ids = sorted({e.article for e in data.entries})
        position = {a: i for i, a in enumerate(self.article_ids)}
        self._entry_article = np.array([position[e.article] for e in data.entries], dtype=np.int64)
        self._vectors = entry_vectors(data.dense)
        # One query at a time: OpenMP workers only contend with the embedder's own threads.
        import faiss

        faiss.omp_set_num_threads(1)
        self._vocab: dict[str, Any] = dict(data.bm25.vocab_dict)
        self.sections: dict[tuple[str, str], list[int]] = {}
        for i, entry in enumerate(data.entries):
            if entry.section >= 0:
                self.sections.setdefault((entry.article, entry.lang), []).append(i)

    def encode(self, question: str) -> Vectors:
        return self.embedder.encode_queries([question])

    def rank(self, question: str, limit: int = 10) -> tuple[list[ArticleScore], Vectors]:
        """The best `limit` articles, best first, and the question's vector."""
        query = self.encode(question)
        n_articles = len(self.article_ids)
        if n_articles == 0:
            return [], query
        dense = np.full(n_articles, -1.0, dtype=np.float32)
        k = min(DENSE_CANDIDATES, self.data.dense.ntotal)
        sims, ids = self.data.dense.search(query, k)
        found = ids[0] >= 0
        np.maximum.at(dense, self._entry_article[ids[0][found]], sims[0][found])
        bm25 = np.zeros(n_articles, dtype=np.float32)
        words = [w for w in tokenize(question) if w in self._vocab]
        if words:
            per_entry = np.asarray(self.data.bm25.get_scores(words), dtype=np.float32)
            np.maximum.at(bm25, self._entry_article, per_entry)
        f = self.fusion
        fused = dense + f.bm25_weight * bm25 / (bm25 + f.bm25_half)
        order = np.argsort(-fused)[:limit]
        ranked = [
            ArticleScore(self.article_ids[i], float(fused[i]), float(dense[i]), float(bm25[i]))
            for i in order
        ]
        return ranked, query

    def best_section(self, article: str, lang: str, query: Vectors | None) -> int | None:
        """Index (into entries) of the article's section in `lang` closest to the question."""
        candidates = self.sections.get((article, lang))
        if not candidates:
            return None
        if query is None:
            return candidates[0]
        sims = self._vectors[candidates] @ query[0]
        return candidates[int(np.argmax(sims))]
