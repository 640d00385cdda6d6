"""The passage model's second opinion on the article: when its closest passage belongs to
another article, the first article's score is lowered (asked, not answered outright)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.knowledge.embedders import Vectors, normalise
from bot.knowledge.index_files import load_index
from bot.knowledge.retrieval import DISAGREEMENT_PENALTY, Retriever
from indexer.build import build_index
from indexer.content import read_kb
from tests.support.kb import write_kb

ARTICLES = {
    f"t/{name}.en.md": f"---\nid: {name}\ntitle: {name} topic\nlang: en\n---\n"
    f"## {name} details\n{name} text about {name}.\n"
    for name in ("alpha", "beta")
}


class KeywordEmbedder:
    """Vectors by keywords: a text containing `words[i]` points along axis i; a question is
    read as `reads_as` says (the two models disagree on purpose)."""

    dim = 4

    def __init__(self, name: str, reads_as: dict[str, str]) -> None:
        self.name = name
        self._reads_as = reads_as

    def _vector(self, text: str) -> list[float]:
        return [1.0 if word in text else 0.05 for word in ("alpha", "beta", "gamma", "delta")]

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return normalise(np.array([self._vector(t) for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.encode_passages([self._reads_as.get(t, t) for t in texts])


def test_disagreeing_models_lower_the_first_articles_score(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", ARTICLES)
    use = KeywordEmbedder("use", {"which one?": "alpha"})
    agreeing = KeywordEmbedder("e5", {"which one?": "alpha"})
    disagreeing = KeywordEmbedder("e5", {"which one?": "beta"})
    build_index(read_kb(kb), tmp_path / "index", use, progress=False, passage_embedder=agreeing)
    data = load_index(tmp_path / "index", "use")

    agreed = Retriever(data, use, passage_embedder=agreeing).rank("which one?").articles
    doubted = Retriever(data, use, passage_embedder=disagreeing).rank("which one?").articles
    alone = Retriever(data, use).rank("which one?").articles

    assert agreed[0].article == doubted[0].article == alone[0].article == "alpha"
    assert agreed[0].score == alone[0].score
    assert np.isclose(doubted[0].score, alone[0].score - DISAGREEMENT_PENALTY)
    assert doubted[1] == alone[1]  # only the first article's score changes
