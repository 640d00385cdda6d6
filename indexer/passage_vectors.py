"""The passage model's vectors (`AFTERCARE_PASSAGE_MODEL`, e5): better than the embedding model
at telling which section of an article answers (sections shown right on the starter KB's
held-out val questions, given the right article: e5 0.92, use 0.76), but ~30x slower to
embed (about 20 passages a second on 2 cores). So they are cached by passage text across
builds (an edit re-embeds only the passages it changed) and made only for knowledge bases up
to AFTERCARE_PASSAGE_MODEL_MAX passages; a larger one picks sections with the embedding model.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from bot.knowledge.embedders import Embedder, Vectors

CACHE_FILE = "passages-{model}.npz"
BATCH = 16


def passage_vectors(
    texts: list[str],
    embedder: Embedder,
    previous_cache: Path,
    new_cache: Path,
    *,
    progress: bool,
) -> Vectors:
    """Vectors of `texts` in order, reusing those cached in `previous_cache` (a directory);
    all of them are written to `new_cache`."""
    from tqdm import tqdm

    name = CACHE_FILE.format(model=embedder.name)
    known = _read(previous_cache / name, embedder.dim)
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]  # noqa: S324 (a cache key)
    todo = sorted({k: i for i, k in reversed(list(enumerate(keys))) if k not in known}.items())
    with tqdm(
        total=len(todo),
        desc=f"passages ({embedder.name})",
        unit="text",
        file=sys.stderr,
        disable=not progress or not todo,
    ) as bar:
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            vectors = embedder.encode_passages([texts[i] for _, i in batch])
            for (key, _), vector in zip(batch, vectors, strict=True):
                known[key] = vector
            bar.update(len(batch))
    matrix = (
        np.stack([known[k] for k in keys]).astype(np.float32)
        if keys
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    new_cache.mkdir(parents=True, exist_ok=True)
    unique = sorted(set(keys))
    np.savez(
        new_cache / name,
        keys=np.array(unique),
        vectors=np.stack([known[k] for k in unique]) if unique else matrix,
    )
    return matrix


def _read(path: Path, dim: int) -> dict[str, Vectors]:
    try:
        with np.load(path) as cached:
            keys, vectors = cached["keys"], cached["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    if vectors.ndim != 2 or vectors.shape[1] != dim or len(keys) != len(vectors):
        return {}
    return {str(k): v for k, v in zip(keys, vectors, strict=True)}
