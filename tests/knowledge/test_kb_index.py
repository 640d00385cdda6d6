"""The index build: incremental, swapped in whole; the bot serves the last good index and refuses
none at all or one from another model."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from bot.core.errors import IndexNotReadyError, KnowledgeBaseError
from bot.knowledge.index_files import HEAD, MANIFEST
from indexer.build import build_index
from indexer.content import read_kb
from tests.support.kb import build, edit, embedder, open_kb, write_kb

HOURS = "When is support available?"


def kb_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.knowledge.base" and r.levelno == logging.WARNING
    ]


def set_model(out: Path, model: str) -> None:
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["model"] = model
    (out / MANIFEST).write_text(json.dumps(manifest))


def test_manifest_records_model_dimension_chunks_and_hashes(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    report = build(kb_dir, out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["model"] == "use"
    assert manifest["dimension"] == 512
    assert manifest["chunk_count"] == report.chunks == 6
    assert manifest["format_version"] == 2
    assert sorted(manifest["files"]) == [
        "accounts/password-reset.en.md",
        "accounts/password-reset.zh.md",
        "support/support-hours.en.md",
        "support/support-hours.zh.md",
    ]
    assert report.embedded_files == 4


async def test_only_changed_files_are_embedded_again(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    assert build(kb_dir, out).embedded_files == 0
    edit(kb_dir / "support/support-hours.en.md", "18:00", "17:30")
    again = build(kb_dir, out)
    assert again.embedded_files == 1
    assert again.files == 4
    hit = (await open_kb(kb_dir, out).lookup(HOURS, "en")).hits[0]
    assert "17:30" in hit.text


async def test_an_edited_kb_is_answered_from_the_last_good_index_and_warned_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    kb = open_kb(kb_dir, out)
    assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
    edit(kb_dir / "support/support-hours.en.md", "18:00", "17:30")
    for _ in range(3):
        await kb.refresh()
        assert "18:00" in (await kb.lookup(HOURS, "en")).hits[0].text
    [warning] = kb_warnings(caplog)
    assert "support/support-hours.en.md" in warning and "aftercare index" in warning
    # A restart before re-indexing answers from the index last built, and says so once.
    restarted = open_kb(kb_dir, out)
    assert "18:00" in (await restarted.lookup(HOURS, "en")).hits[0].text
    assert len(kb_warnings(caplog)) == 2

    build(kb_dir, out)
    await kb.refresh()  # picked up without a restart
    assert "17:30" in (await kb.lookup(HOURS, "en")).hits[0].text
    assert len(kb_warnings(caplog)) == 2
    edit(kb_dir / "support/support-hours.en.md", "17:30", "17:00")  # a new change: told again
    await kb.refresh()
    await kb.refresh()
    assert len(kb_warnings(caplog)) == 3


async def test_a_broken_file_keeps_the_old_index_answering(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    before = (out / MANIFEST).read_text()
    kb = open_kb(kb_dir, out)
    await kb.lookup(HOURS, "en")
    (kb_dir / "support/broken.en.md").write_text("---\nid: broken\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"support/broken.en.md:1: front matter"):
        build_index(read_kb(kb_dir), out, embedder(), progress=False)
    assert (out / MANIFEST).read_text() == before
    await kb.refresh()
    await kb.refresh()
    assert (await kb.lookup(HOURS, "en")).hits[0].article_id == "support-hours"
    [warning] = kb_warnings(caplog)
    assert "support/broken.en.md" in warning and "aftercare index" in warning


async def test_a_missing_index_is_refused_until_one_is_built(tmp_path: Path) -> None:
    kb = open_kb(write_kb(tmp_path / "kb"), tmp_path / "nowhere")
    with pytest.raises(IndexNotReadyError, match=r"no knowledge-base index.*aftercare index"):
        await kb.lookup("hours?", "en")
    build(tmp_path / "kb", tmp_path / "nowhere")
    assert (await kb.lookup(HOURS, "en")).hits


async def test_an_index_from_another_model_is_refused(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    set_model(out, "e5")
    with pytest.raises(IndexNotReadyError, match=r"built with the 'e5'.*'use'.*aftercare index"):
        await open_kb(kb_dir, out).lookup("hours?", "en")


async def test_an_unusable_rebuild_leaves_the_served_index_in_place(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    kb = open_kb(kb_dir, out)
    await kb.lookup(HOURS, "en")
    set_model(out, "e5")
    await kb.refresh()
    await kb.refresh()
    assert (await kb.lookup(HOURS, "en")).hits[0].article_id == "support-hours"
    [warning] = kb_warnings(caplog)
    assert "'e5'" in warning and "aftercare index" in warning and "still answering" in warning


async def test_a_due_recheck_runs_behind_the_answer(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    kb = open_kb(kb_dir, out, recheck=3600)
    first = await kb.served()
    build(kb_dir, out)
    assert await kb.served() is first  # not due: the rebuild is not looked for
    kb.recheck_seconds = 0
    assert await kb.served() is first  # due: a check starts, this answer does not wait for it
    await kb.refresh()
    assert (await kb.served()).key != first.key


async def test_a_tuned_head_is_stored_and_used(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build_index(read_kb(kb_dir), out, embedder(), progress=False, tune=True)
    assert np.load(out / HEAD).shape == (512, 2)
    kb = open_kb(kb_dir, out)
    assert (await kb.served()).retriever.data.head is not None
    assert (await kb.lookup("I lost my password", "en")).hits[0].article_id == "password-reset"
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
