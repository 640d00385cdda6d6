"""The index build: incremental, swapped in whole, and refused when stale or from another model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.errors import IndexNotReadyError, KnowledgeBaseError
from bot.knowledge.index_files import HEAD, MANIFEST
from indexer.build import build_index
from indexer.content import read_kb
from tests.kb_helpers import build, embedder, open_kb, write_kb


def test_manifest_records_model_dimension_chunks_and_hashes(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    report = build(kb_dir, out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["model"] == "use"
    assert manifest["dimension"] == 512
    assert manifest["chunk_count"] == report.chunks == 6
    assert manifest["format_version"] == 1
    assert sorted(manifest["files"]) == [
        "accounts/password-reset.en.md",
        "accounts/password-reset.zh.md",
        "support/support-hours.en.md",
        "support/support-hours.zh.md",
    ]
    assert report.embedded_files == 4


def test_only_changed_files_are_embedded_again(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    assert build(kb_dir, out).embedded_files == 0
    hours = kb_dir / "support/support-hours.en.md"
    hours.write_text(hours.read_text().replace("18:00", "17:30"), encoding="utf-8")
    again = build(kb_dir, out)
    assert again.embedded_files == 1
    assert again.files == 4
    hit = open_kb(kb_dir, out).lookup_sync("When is support available?", "en").hits[0]
    assert "17:30" in hit.text


def test_a_stale_index_is_refused_naming_the_command(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    kb = open_kb(kb_dir, out)
    assert kb.lookup_sync("When is support available?", "en").hits
    (kb_dir / "support/new-topic.en.md").write_text(
        (kb_dir / "support/support-hours.en.md").read_text().replace("support-hours", "new-topic"),
        encoding="utf-8",
    )
    fresh = open_kb(kb_dir, out)
    with pytest.raises(IndexNotReadyError, match=r"stale.*support/new-topic.en.md.*aftercare index"):
        fresh.lookup_sync("When is support available?", "en")


def test_a_missing_index_is_refused(tmp_path: Path) -> None:
    kb = open_kb(write_kb(tmp_path / "kb"), tmp_path / "nowhere")
    with pytest.raises(IndexNotReadyError, match=r"no knowledge-base index.*aftercare index"):
        kb.lookup_sync("hours?", "en")


def test_an_index_from_another_model_is_refused(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["model"] = "e5"
    (out / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexNotReadyError, match=r"built with the 'e5'.*'use'.*aftercare index"):
        open_kb(kb_dir, out).lookup_sync("hours?", "en")


def test_a_bad_file_stops_the_build_and_keeps_the_current_index(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    before = (out / MANIFEST).read_text()
    (kb_dir / "broken.en.md").write_text("---\nid: broken\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"broken.en.md:1: front matter is not closed"):
        build(kb_dir, out)
    assert (out / MANIFEST).read_text() == before


def test_a_tuned_head_is_stored_and_used(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build_index(read_kb(kb_dir), out, embedder(), progress=False, tune=True)
    assert np.load(out / HEAD).shape == (512, 2)
    kb = open_kb(kb_dir, out)
    assert kb.retriever().data.head is not None
    assert kb.lookup_sync("I lost my password", "en").hits[0].article_id == "password-reset"
    build_index(read_kb(kb_dir), out, embedder(), progress=False, tune=False)
    assert not (out / HEAD).exists()


def test_the_head_is_fitted_by_default_only_for_twenty_articles_or_more(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    assert not build(kb_dir, out).tuned
    hours = (kb_dir / "support/support-hours.en.md").read_text()
    for i in range(18):
        (kb_dir / f"copy{i}.en.md").write_text(hours.replace("support-hours", f"copy{i}"))
    assert build(kb_dir, out).tuned
    assert (out / HEAD).exists()
