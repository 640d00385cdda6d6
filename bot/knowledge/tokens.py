"""BM25 tokens: jieba words for Chinese runs, lowercase words for everything else."""

from __future__ import annotations

import logging
import re

_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([0-9A-Za-z\u00c0-\u024f]+)")


def _cut(text: str) -> list[str]:
    import jieba  # loads its dictionary on first use, not at import

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut_for_search(text) if w.strip()]


def tokenize(text: str) -> list[str]:
    """Words to index and to query with; the same function runs at build and at ask time."""
    tokens: list[str] = []
    for cjk, word in _RUNS.findall(text):
        if cjk:
            tokens.extend(_cut(cjk))
        else:
            tokens.append(word.lower())
    return tokens
