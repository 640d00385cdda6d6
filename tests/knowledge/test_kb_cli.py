"""`aftercare index`, `ask --json` and `eval --json` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app as cli
from tests.support.kb import write_kb

EVAL_KEYS = {
    "p_at_1",
    "mrr_at_10",
    "in_scope_accuracy",
    "oos_recall",
    "threshold",
    "n_test",
    "latency_ms_p50",
    "latency_ms_p99",
    "section_acc",
    "answered_right",
    "wrong_confident",
}


@pytest.fixture
def kb_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AFTERCARE_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("AFTERCARE_EMBEDDING_BACKEND", "use")
    monkeypatch.chdir(tmp_path)
    write_kb(tmp_path / "kb")
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ask_before_index_names_the_command(kb_env: Path) -> None:
    code, _, err = invoke("ask", "When is support available?")
    assert code == 1
    assert "aftercare index" in err


def test_index_then_ask_json(kb_env: Path) -> None:
    code, out, _ = invoke("index")
    assert code == 0, out
    assert "indexed 4 files (4 embedded" in out
    code, out, _ = invoke("ask", "周末可以联系技术支持吗？", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["tier"] == "confident"
    assert answer["lang"] == "zh"
    assert "全天候" in answer["answer"]
    assert answer["citations"][0]["title"] == "支持时间"
    assert answer["scores"][0]["article"] == "support-hours"
    code, out, _ = invoke("index")
    assert "(0 embedded" in out


def test_eval_prints_exactly_the_metric_keys(kb_env: Path) -> None:
    data = kb_env / "set"
    data.mkdir()
    rows = [
        {
            "id": "hours",
            "question": "when are you open",
            "answer": "9 to 6",
            "paraphrases": ["opening hours", "what time do you open"],
        },
        {
            "id": "reset",
            "question": "reset my password",
            "answer": "use the link",
            "paraphrases": ["forgot my password", "lost password"],
        },
    ]
    (data / "faq.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    queries = [
        {"qid": "1", "query": "when do you open", "gold_id": "hours", "oos_type": None},
        {"qid": "2", "query": "I lost my password", "gold_id": "reset", "oos_type": None},
        {"qid": "3", "query": "how tall is mount everest", "gold_id": None, "oos_type": "oos"},
    ]
    for split in ("val", "test"):
        (data / f"queries_{split}.jsonl").write_text(
            "\n".join(json.dumps(q) for q in queries) + "\n"
        )
    code, out, _ = invoke("eval", "--dataset", str(data), "--json")
    assert code == 0, out
    metrics = json.loads(out)
    assert set(metrics) == EVAL_KEYS | {"by_lang", "setup"}
    assert metrics["n_test"] == 3
    assert metrics["p_at_1"] == 1.0
    assert metrics["in_scope_accuracy"] == 1.0
    assert metrics["oos_recall"] == 1.0
    assert list(metrics["by_lang"]) == ["en"]
    assert set(metrics["by_lang"]["en"]) == EVAL_KEYS


def test_eval_on_the_knowledge_base_itself(kb_env: Path) -> None:
    data = kb_env / "kb_eval"
    data.mkdir()
    queries = [
        {"qid": "1", "query": "客服周末上班吗", "gold_id": "support-hours", "oos_type": None},
        {"qid": "2", "query": "I lost my password", "gold_id": "password-reset", "oos_type": None},
    ]
    for split in ("val", "test"):
        (data / f"queries_{split}.jsonl").write_text(
            "\n".join(json.dumps(q, ensure_ascii=False) for q in queries) + "\n"
        )
    code, out, _ = invoke("eval", "--dataset", str(data), "--kb", str(kb_env / "kb"), "--json")
    assert code == 0, out
    metrics = json.loads(out)
    assert metrics["p_at_1"] == 1.0
    assert metrics["oos_recall"] is None
    by_lang = metrics["by_lang"]
    assert {lang: m["n_test"] for lang, m in by_lang.items()} == {"en": 1, "zh": 1}
    assert by_lang["zh"]["p_at_1"] == by_lang["en"]["p_at_1"] == 1.0
    assert by_lang["zh"]["threshold"] == metrics["threshold"]


def test_index_with_a_broken_file_fails_and_the_old_index_answers(kb_env: Path) -> None:
    assert invoke("index")[0] == 0
    (kb_env / "kb" / "support" / "broken.en.md").write_text("---\nid: broken\n", encoding="utf-8")
    code, _, err = invoke("index")
    assert code == 1
    assert "support/broken.en.md:1: front matter is not closed" in err
    assert "the current index stays in use" in err
    code, out, _ = invoke("ask", "When is support available?", "--json")
    assert code == 0
    assert json.loads(out)["scores"][0]["article"] == "support-hours"


def test_index_publishes_to_the_database_once_per_content(kb_env: Path) -> None:
    code, out, _ = invoke("index")
    assert code == 0
    assert "not published to the database (the schema is not up to date: run `aftercare db" in out
    assert invoke("db", "upgrade")[0] == 0
    code, out, _ = invoke("index", "--no-publish")
    assert code == 0 and len(out.splitlines()) == 1
    code, out, _ = invoke("index")
    assert code == 0 and "published to the database as index #1" in out
    code, out, _ = invoke("index")
    assert code == 0 and "already published as index #1 (no change since)" in out
    hours = kb_env / "kb" / "support" / "support-hours.en.md"
    hours.write_text(hours.read_text().replace("18:00", "17:30"), encoding="utf-8")
    code, out, _ = invoke("index")
    assert code == 0 and "published to the database as index #2" in out


def test_index_on_an_unreachable_database_still_writes_the_local_index(
    kb_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/nowhere")
    code, out, _ = invoke("index")
    assert code == 0
    assert out.splitlines()[1].startswith("not published to the database (")
    assert len(out.splitlines()) == 2
    assert (kb_env / "var" / "index" / "manifest.json").is_file()


def test_another_machine_answers_from_the_published_index(
    kb_env: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", database_url)
    code, out, _ = invoke("index")
    assert code == 0 and "published to the database as index #1" in out
    # Another machine: its own data dir, no index built there, no knowledge/ either.
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(kb_env / "replica"))
    monkeypatch.setenv("AFTERCARE_KB_DIR", str(kb_env / "replica" / "knowledge"))
    code, out, err = invoke("ask", "周末可以联系技术支持吗？", "--json")
    assert code == 0, err
    assert json.loads(out)["scores"][0]["article"] == "support-hours"
    assert invoke("demo", "seed")[0] == 0
    result = CliRunner().invoke(
        cli, ["chat", "--as", "alice", "--script"], input="When is support available?\n"
    )
    assert result.exit_code == 0, result.stderr
    assert "Monday to Friday, 9:00 to 18:00 CET" in result.stdout
    assert not (kb_env / "replica" / "index").exists()
    assert list((kb_env / "replica" / "published-index").iterdir())
