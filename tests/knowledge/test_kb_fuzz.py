"""Bounded fuzzing of the knowledge-base loader: any file gives an article or one
KnowledgeBaseError naming the file and a line, never another exception."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.errors import KnowledgeBaseError
from indexer.content import parse_article, read_kb

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
VALID = """---
id: sample
title: A sample
lang: en
category: support
questions: [How?]
---
## Steps
Do this.
"""
LINES = st.sampled_from(
    [
        "---",
        "id: x",
        "id: [1, 2]",
        "title: !!python/object:os.system ls",
        "lang: fr",
        "lang: en",
        "category: a",
        "questions:",
        "  - q",
        "  - {a: b}",
        "tags: 3",
        "links: [http://x]",
        "## Heading",
        "# Title",
        "text",
        "&anchor [*anchor]",
        "\t- : :",
        "",
    ]
)
files = st.one_of(
    st.text(max_size=300),
    st.lists(LINES, max_size=14).map("\n".join),
    st.integers(0, len(VALID)).flatmap(
        lambda cut: st.text(max_size=20).map(lambda junk: VALID[:cut] + junk + VALID[cut:])
    ),
)
WHERE = re.compile(r"^sample\.en\.md:\d+: ")


@FUZZ
@given(text=files)
def test_any_text_is_an_article_or_a_located_error(text: str) -> None:
    try:
        article = parse_article(text, "sample.en.md")
    except KnowledgeBaseError as exc:
        assert WHERE.match(str(exc)), str(exc)
    else:
        assert article.id and article.lang in ("en", "zh") and article.sections


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_on_disk_are_read_or_refused_by_name(tmp_path: Path, raw: bytes) -> None:
    kb = tmp_path / "kb"
    (kb / "support").mkdir(parents=True, exist_ok=True)
    (kb / "support" / "sample.en.md").write_bytes(raw)
    try:
        read_kb(kb)
    except KnowledgeBaseError as exc:
        assert "sample.en.md" in str(exc)


@pytest.mark.parametrize("cut", [0, 3, 20, 60, 75])
def test_truncated_files_are_refused_by_name(cut: int) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"^sample\.en\.md:\d+: "):
        parse_article(VALID[:cut], "sample.en.md")
