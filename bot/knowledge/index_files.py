"""The index on disk: file names, the manifest, content hashes, and loading with model checks."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.errors import IndexNotReadyError
from bot.core.i18n import Lang
from bot.knowledge.articles import Article, Entry

FORMAT_VERSION = 2  # 2: entries are titles, questions, headings and passages with spans
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
ARTICLES = "articles.json"
ENTRIES = "entries.jsonl"
CACHE_DIR = "cache"
HEAD = "head.npy"
PASSAGES = "passages.npy"  # the passage model's vectors of the passage entries, in entry order
FIX = "run `aftercare index` to build it"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


DRAFTS_DIR = "drafts"


# What a knowledge base holds: Markdown articles and documents (indexer/documents reads them).
KB_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf"})


def kb_files(kb_dir: Path) -> list[Path]:
    """Every content file of a knowledge base, in a stable order; `drafts/` (FAQ drafts waiting
    for `aftercare kb approve`), hidden files (editors' and Office's lock files: `.~lock…#`,
    `~$…`) and READMEs are not content."""
    return sorted(
        p
        for p in kb_dir.rglob("*")
        if p.suffix.lower() in KB_SUFFIXES
        and p.is_file()
        and p.stem.lower() != "readme"
        and not p.name.startswith((".", "~$"))
        and p.relative_to(kb_dir).parts[0] != DRAFTS_DIR
    )


def kb_hashes(kb_dir: Path) -> dict[str, str]:
    """Relative path → sha256 of the bytes, for every content file."""
    return {
        p.relative_to(kb_dir).as_posix(): content_hash(p.read_bytes()) for p in kb_files(kb_dir)
    }


@dataclass(frozen=True)
class Manifest:
    model: str
    dimension: int
    chunk_count: int
    entry_count: int
    files: dict[str, str]
    built_at: str
    format_version: int = FORMAT_VERSION
    passage_model: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "model": self.model,
            "dimension": self.dimension,
            "chunk_count": self.chunk_count,
            "entry_count": self.entry_count,
            "files": self.files,
            "built_at": self.built_at,
            "passage_model": self.passage_model,
        }

    @classmethod
    def read(cls, index_dir: Path) -> Manifest:
        path = index_dir / MANIFEST
        if not path.is_file():
            raise IndexNotReadyError(f"no knowledge-base index in {index_dir}; {FIX}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                model=str(data["model"]),
                dimension=int(data["dimension"]),
                chunk_count=int(data["chunk_count"]),
                entry_count=int(data["entry_count"]),
                files={str(k): str(v) for k, v in data["files"].items()},
                built_at=str(data["built_at"]),
                format_version=int(data["format_version"]),
                passage_model=str(data.get("passage_model") or ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexNotReadyError(f"{path} is unreadable ({exc}); {FIX}") from None


@dataclass
class IndexData:
    """Everything retrieval needs, loaded in memory."""

    manifest: Manifest
    articles: dict[tuple[str, Lang], Article]
    entries: list[Entry]
    dense: Any
    bm25: Any
    head: np.ndarray[Any, np.dtype[np.float32]] | None = None
    passages: np.ndarray[Any, np.dtype[np.float32]] | None = None


def check_manifest(manifest: Manifest, model: str) -> None:
    """Refuse an index from another format or model."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexNotReadyError(
            f"the index has format {manifest.format_version}, this version reads "
            f"{FORMAT_VERSION}; {FIX} again"
        )
    if manifest.model != model:
        raise IndexNotReadyError(
            f"the index was built with the {manifest.model!r} embedding model but "
            f"AFTERCARE_EMBEDDING_BACKEND is {model!r}; run `aftercare index` again"
        )


def changed_files(manifest: Manifest, kb_dir: Path) -> dict[str, str]:
    """Content files added, edited or removed since `manifest` was built: relative path → its
    sha256 now ("" when removed)."""
    current = kb_hashes(kb_dir)
    names = {name for name, _ in set(current.items()) ^ set(manifest.files.items())}
    return {name: current.get(name, "") for name in sorted(names)}


def load_index(index_dir: Path, model: str) -> IndexData:
    """Read a built index made for `model` in this format, or raise IndexNotReadyError."""
    quiet_libraries()
    import bm25s
    import faiss

    manifest = Manifest.read(index_dir)
    check_manifest(manifest, model)
    try:
        raw = json.loads((index_dir / ARTICLES).read_text(encoding="utf-8"))
        articles = {(a.id, a.lang): a for a in map(Article.from_json, raw)}
        entries = []
        with (index_dir / ENTRIES).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                lang: Lang = "zh" if row["lang"] == "zh" else "en"
                entries.append(
                    Entry(
                        row["article"],
                        lang,
                        int(row["section"]),
                        row["text"],
                        row["kind"],
                        int(row["start"]),
                        int(row["end"]),
                    )
                )
        dense = faiss.read_index(str(index_dir / DENSE))
        bm25 = bm25s.BM25.load(str(index_dir / BM25_DIR))
        head = np.load(index_dir / HEAD) if (index_dir / HEAD).is_file() else None
        passages = np.load(index_dir / PASSAGES) if manifest.passage_model else None
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexNotReadyError(f"the index in {index_dir} is incomplete ({exc}); {FIX}") from None
    if dense.ntotal != len(entries) or dense.d != manifest.dimension:
        raise IndexNotReadyError(f"the index in {index_dir} is inconsistent; {FIX}")
    if head is not None and head.shape != (manifest.dimension, len({e.article for e in entries})):
        raise IndexNotReadyError(f"the tuned head in {index_dir} does not fit the index; {FIX}")
    if passages is not None and len(passages) != sum(e.kind == "passage" for e in entries):
        raise IndexNotReadyError(f"the passage vectors in {index_dir} do not fit the index; {FIX}")
    return IndexData(manifest, articles, entries, dense, bm25, head, passages)


def quiet_libraries() -> None:
    """faiss and bm25s log their start-up at INFO/DEBUG; only their warnings matter here.
    The levels are set before the imports (faiss logs while it is imported) and again after
    them (bm25s sets its own logger to DEBUG when it is imported)."""
    loggers = [logging.getLogger(name) for name in ("faiss.loader", "faiss", "bm25s")]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    import bm25s  # noqa: F401
    import faiss  # noqa: F401

    for logger in loggers:
        logger.setLevel(logging.WARNING)


def entry_vectors(dense: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The stored vectors of a flat FAISS index, as one matrix."""
    return np.asarray(dense.reconstruct_n(0, dense.ntotal), dtype=np.float32)
