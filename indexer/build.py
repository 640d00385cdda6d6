"""Incremental index build: embed only files whose content hash is new, then swap the index in."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

import numpy as np

from bot.core.errors import KnowledgeBaseError
from bot.knowledge.articles import Article
from bot.knowledge.embedders import Embedder, Vectors
from bot.knowledge.index_files import (
    ARTICLES,
    BM25_DIR,
    CACHE_DIR,
    DENSE,
    ENTRIES,
    HEAD,
    MANIFEST,
    PASSAGES,
    Manifest,
    quiet_libraries,
)
from bot.knowledge.tokens import tokenize
from indexer.content import Unit, duplicate_problems, entries_for
from indexer.passage_vectors import passage_vectors
from indexer.tune import train_head

log = logging.getLogger(__name__)

BATCH = 64
PARSED = "parsed.json"  # in the cache: each file's articles, by path and content hash
# entries × articles up to which the head is fitted by default: ~5 s on 2 cores (CLINC150's
# 15,000 entries × 150 intents); a 10,000-chunk KB of 1,000 articles is 5x over and skips it.
TUNE_BUDGET = 3_000_000
# With a handful of articles a softmax is confident about anything, out-of-scope included.
TUNE_MIN_ARTICLES = 20
PASSAGE_MODEL_MAX = 1000  # AFTERCARE_PASSAGE_MODEL_MAX: ~50 s of e5 on 2 cores, once


class PassageOptions(TypedDict):
    passage_embedder: Embedder | None
    passage_model_max: int


@dataclass(frozen=True)
class BuildReport:
    files: int
    embedded_files: int
    chunks: int
    entries: int
    seconds: float
    out: Path
    tuned: bool


@dataclass
class _Cached:
    vectors: Vectors
    tokens: list[list[str]]


def build_index(
    units: list[Unit],
    out: Path,
    embedder: Embedder,
    *,
    progress: bool = True,
    tune: bool | None = None,
    passage_embedder: Embedder | None = None,
    passage_model_max: int = PASSAGE_MODEL_MAX,
) -> BuildReport:
    """Write FAISS + BM25 + manifest for `units` to `out`, reusing cached embeddings.

    The new index is written next to `out` and swapped in only when complete, so a failure
    leaves the current index as it was. `tune` fits a linear head (indexer/tune.py); by
    default only when that takes a few seconds (see TUNE_BUDGET). `passage_embedder` embeds the
    passages once more for picking sections (indexer/passage_vectors.py), when there are at
    most `passage_model_max`.
    """
    quiet_libraries()
    import bm25s
    import faiss
    from tqdm import tqdm

    started = time.perf_counter()
    problems = duplicate_problems(units)
    if problems:
        raise KnowledgeBaseError("\n".join(problems))
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    previous = _read_cache(out / CACHE_DIR, embedder)

    per_unit = [[e for a in unit.articles for e in entries_for(a)] for unit in units]
    todo = [
        i
        for i, unit in enumerate(units)
        if unit.hash not in previous or len(previous[unit.hash].tokens) != len(per_unit[i])
    ]
    texts = [e.text for i in todo for e in per_unit[i]]
    fresh: list[Vectors] = []
    with tqdm(
        total=len(texts),
        desc=f"embedding ({embedder.name})",
        unit="text",
        file=sys.stderr,
        disable=not progress or not texts,
    ) as bar:
        for start in range(0, len(texts), BATCH):
            fresh.append(embedder.encode_passages(texts[start : start + BATCH]))
            bar.update(len(texts[start : start + BATCH]))
    new_vectors = np.concatenate(fresh) if fresh else np.zeros((0, embedder.dim), np.float32)
    offset = 0
    for i in todo:
        n = len(per_unit[i])
        tokens = [tokenize(e.text) for e in per_unit[i]]
        previous[units[i].hash] = _Cached(new_vectors[offset : offset + n], tokens)
        offset += n

    entries = [e for group in per_unit for e in group]
    if not entries:
        raise KnowledgeBaseError("the knowledge base has no text to index")
    current = [previous[unit.hash] for unit in units]
    matrix = np.ascontiguousarray(np.concatenate([c.vectors for c in current]), dtype=np.float32)
    corpus = [t for c in current for t in c.tokens]
    _write_cache(staging / CACHE_DIR, embedder, units, current, matrix, corpus)
    _write_parsed(staging / CACHE_DIR / PARSED, units)
    dense = faiss.IndexFlatIP(embedder.dim)
    dense.add(matrix)
    faiss.write_index(dense, str(staging / DENSE))
    article_ids = sorted({e.article for e in entries})
    if tune is None:
        tune = len(article_ids) >= TUNE_MIN_ARTICLES and (
            len(entries) * len(article_ids) <= TUNE_BUDGET
        )
    if tune:
        position = {a: i for i, a in enumerate(article_ids)}
        labels = np.array([position[e.article] for e in entries], dtype=np.int64)
        head = train_head(matrix, labels, len(article_ids), progress=progress)
        np.save(staging / HEAD, head)
    bm25 = bm25s.BM25()
    bm25.index([t or ["\u2205"] for t in corpus], show_progress=False)
    bm25.save(str(staging / BM25_DIR))
    articles = [a.to_json() for unit in units for a in unit.articles]
    (staging / ARTICLES).write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
    with (staging / ENTRIES).open("w", encoding="utf-8") as rows:
        for e in entries:
            row = {
                "article": e.article,
                "lang": e.lang,
                "section": e.section,
                "text": e.text,
                "kind": e.kind,
                "start": e.start,
                "end": e.end,
            }
            rows.write(json.dumps(row, ensure_ascii=False) + "\n")
    passage_texts = [e.text for e in entries if e.kind == "passage"]
    passage_model = ""
    if passage_embedder is not None and 0 < len(passage_texts) <= passage_model_max:
        vectors = passage_vectors(
            passage_texts, passage_embedder, out / CACHE_DIR, staging / CACHE_DIR, progress=progress
        )
        np.save(staging / PASSAGES, vectors)
        passage_model = passage_embedder.name
    manifest = Manifest(
        model=embedder.name,
        dimension=embedder.dim,
        chunk_count=sum(1 for e in entries if e.kind == "passage"),
        entry_count=len(entries),
        files={unit.name: unit.hash for unit in units},
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        passage_model=passage_model,
    )
    (staging / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2), encoding="utf-8")
    _swap(staging, out)
    report = BuildReport(
        files=len(units),
        embedded_files=len(todo),
        chunks=manifest.chunk_count,
        entries=len(entries),
        seconds=time.perf_counter() - started,
        out=out,
        tuned=tune,
    )
    log.info("index built: %s", report)
    return report


def _read_cache(directory: Path, embedder: Embedder) -> dict[str, _Cached]:
    """Embeddings and tokens of the previous build, by unit content hash (empty if unusable)."""
    try:
        meta = json.loads((directory / "units.json").read_text(encoding="utf-8"))
        if meta["model"] != embedder.name or meta["dimension"] != embedder.dim:
            return {}
        vectors = np.load(directory / "vectors.npy")
        tokens = json.loads((directory / "tokens.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    cached = {}
    for digest, start, count in meta["units"]:
        if start + count <= min(len(vectors), len(tokens)):
            cached[digest] = _Cached(vectors[start : start + count], tokens[start : start + count])
    return cached


def _write_cache(
    directory: Path,
    embedder: Embedder,
    units: list[Unit],
    items: list[_Cached],
    matrix: Vectors,
    corpus: list[list[str]],
) -> None:
    directory.mkdir()
    spans, start = [], 0
    for unit, item in zip(units, items, strict=True):
        spans.append([unit.hash, start, len(item.tokens)])
        start += len(item.tokens)
    meta = {"model": embedder.name, "dimension": embedder.dim, "units": spans}
    (directory / "units.json").write_text(json.dumps(meta), encoding="utf-8")
    np.save(directory / "vectors.npy", matrix)
    (directory / "tokens.json").write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")


def parsed_units(index_dir: Path) -> dict[tuple[str, str], Unit]:
    """The units of the build in `index_dir` by (file path, content hash), for read_kb to skip
    parsing the files that did not change (empty when there is no usable record)."""
    try:
        rows = json.loads((index_dir / CACHE_DIR / PARSED).read_text(encoding="utf-8"))
        units = [
            Unit(
                str(row["name"]),
                str(row["hash"]),
                tuple(Article.from_json(a) for a in row["articles"]),
                int(row["id_line"]),
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}
    return {(u.articles[0].source, u.hash): u for u in units if len(u.articles) == 1}


def _write_parsed(path: Path, units: list[Unit]) -> None:
    rows = [
        {
            "name": u.name,
            "hash": u.hash,
            "id_line": u.id_line,
            "articles": [a.to_json() for a in u.articles],
        }
        for u in units
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` by two renames; the old index is removed last."""
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
