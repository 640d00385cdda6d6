"""Hostile input through the real CLI: ids past 2^63, zero and negative ids, non-numbers, output
paths that cannot be written, stdin that is not UTF-8, a database that is not there. Each one
is a non-zero exit with a single `error:` line (or typer's usage error), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from adapters.cli.main import app as cli
from adapters.cli.params import MAX_ID

ROOT = Path(__file__).resolve().parents[3]
TOO_BIG = (str(MAX_ID + 1), "99999999999999999999")
UNREACHABLE_PG = "postgresql://postgres:hunter2@127.0.0.1:1/x"  # nothing listens on port 1

# Every command that takes a row id: its words, the arguments after the id, its options.
ID_COMMANDS = [
    (("jobs", "retry"), (), ()),
    (("conversation", "show"), (), ()),
    (("conversation", "take"), (), ("--by", "me")),
    (("conversation", "handback"), (), ("--by", "me")),
    (("conversation", "close"), (), ("--by", "me")),
    (("conversation", "reply"), ("hello",), ("--by", "me")),
    (("survey", "done"), (), ()),
    (("training", "show"), (), ()),
    (("training", "materials"), ("https://example.com/slides",), ()),
    (("training", "attendance"), ("alice",), ()),
    (("training", "move"), (), ("--at", "2026-05-01 10:00")),
    (("training", "cancel"), (), ()),
    (("announce", "status"), (), ()),
    (("announce", "cancel"), (), ()),
]
IdCommand = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
# Every numeric option, with the values it refuses; {n} is where they go.
TRAINING_ADD = ("training", "add", "Portal", "--kind", "basic", "--at", "2026-05-01 10:00")
PROJECT_ADD = ("project", "add", "--client", "ACME", "--name", "X", "--delivered", "2026-01-01")
COUNT_OPTIONS = [
    (("jobs", "list", "--limit", "{n}"), ("0", "-1", "10001", *TOO_BIG)),
    (("contact", "invite", "--client", "ACME", "--days", "{n}"), ("0", "-1", *TOO_BIG)),
    (
        (*PROJECT_ADD, "--warranty-months", "{n}"),
        ("-1", "121", *TOO_BIG),
    ),
    ((*TRAINING_ADD, "--online", "https://x", "--minutes", "{n}"), ("0", "-1", *TOO_BIG)),
    (("report", "sla", "--days", "{n}"), ("0", "-1", *TOO_BIG)),
    (("serve", "--port", "{n}"), ("-1", "65536", *TOO_BIG)),
]


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", database_url)
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return database_url


@pytest.fixture
def seeded_cli(cli_env: str) -> str:
    """ACME with project Portal and contact alice, added through the CLI."""
    for args in (
        ("client", "add", "Acme Corp", "--code", "ACME"),
        ("project", "add", "--client", "ACME", "--name", "Portal", "--delivered", "2026-01-05"),
        ("contact", "add", "--client", "ACME", "--handle", "alice", "--lang", "en"),
    ):
        assert invoke(*args).exit_code == 0
    return cli_env


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def refused(result: Result, *, usage: bool = False) -> str:
    """Assert a clean refusal and return its one `error:` line ('' for a usage error, allowed
    when `usage`: typer's own answer to a non-number, or to '-1' where an argument goes)."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    # CliRunner swallows an uncaught exception; a clean exit is a SystemExit.
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code != 0, output
    if usage and result.exit_code == 2:
        return ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def fill(template: Sequence[str], n: str) -> list[str]:
    return [n if part == "{n}" else part for part in template]


def with_id(command: IdCommand, value: str) -> list[str]:
    words, rest, options = command
    return [*words, value, *rest, *options]


@pytest.mark.parametrize("command", ID_COMMANDS, ids=lambda c: " ".join(c[0]))
def test_ids_out_of_range_are_one_line(cli_env: str, command: IdCommand) -> None:
    for value in (*TOO_BIG, "0"):
        line = refused(invoke(*with_id(command, value)))
        assert line.endswith(f"must be from 1 to {MAX_ID}, not {value}")
    # typer takes a bare -1 for an option; after `--` it is the id, and the check refuses it.
    refused(invoke(*with_id(command, "-1")), usage=True)
    words, rest, options = command
    assert refused(invoke(*words, *options, "--", "-1", *rest)).endswith("not -1")
    refused(invoke(*with_id(command, "abc")), usage=True)


@pytest.mark.parametrize("command", ID_COMMANDS, ids=lambda c: " ".join(c[0]))
def test_the_largest_id_reaches_the_database(cli_env: str, command: IdCommand) -> None:
    line = refused(invoke(*with_id(command, str(MAX_ID))))
    assert str(MAX_ID) in line  # "no job 9223372036854775807", not an overflow


@pytest.mark.parametrize(("command", "values"), COUNT_OPTIONS, ids=lambda c: " ".join(c[:2]))
def test_counts_out_of_range_are_one_line(
    seeded_cli: str, command: tuple[str, ...], values: tuple[str, ...]
) -> None:
    for value in values:
        refused(invoke(*fill(command, value)))
    refused(invoke(*fill(command, "abc")), usage=True)


def test_out_of_range_dates_are_one_line(seeded_cli: str) -> None:
    for day in ("9999-12-31", "0001-01-01"):
        project = ("project", "add", "--client", "ACME", "--name", "Y", "--delivered", day)
        assert "out of range" in refused(invoke(*project))
        assert "out of range" in refused(
            invoke(*TRAINING_ADD[:-1], f"{day} 10:00", "--online", "https://x")
        )


def _unwritable(tmp_path: Path) -> list[Path]:
    """Places no file can be written: under a regular file, the file itself, in /proc and (but
    root writes there) in a read-only directory."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    places = [blocker / "out", blocker, Path("/proc/aftercare-test/out")]
    if os.geteuid() != 0:
        locked = tmp_path / "read-only"
        locked.mkdir(mode=0o500)
        places.append(locked / "out")
    return places


def test_report_project_out_cannot_be_written(seeded_cli: str, tmp_path: Path) -> None:
    places = _unwritable(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    for out in places:
        line = refused(invoke("report", "project", "Portal", "--out", str(out)))
        assert line.startswith(f"error: cannot write {out}: ")
    assert sorted(tmp_path.rglob("*")) == before  # nothing half-written, no empty folders
    out = tmp_path / "new" / "review"
    assert invoke("report", "project", "Portal", "--out", str(out)).exit_code == 0
    assert [p.name for p in out.iterdir()] == ["review.md"]  # no scratch folder left


def test_report_surveys_plot_cannot_be_written(seeded_cli: str, tmp_path: Path) -> None:
    folder = tmp_path / "is-a-dir.png"
    folder.mkdir()
    under_a_file, _, *elsewhere = _unwritable(tmp_path)
    targets = [folder, *(place / "trend.png" for place in (under_a_file, *elsewhere))]
    for plot in targets:
        line = refused(invoke("report", "surveys", "--plot", str(plot)))
        assert line.startswith(f"error: cannot write {plot}: ")
    assert list(folder.iterdir()) == []
    plot = tmp_path / "charts" / "trend.png"
    assert invoke("report", "surveys", "--plot", str(plot)).exit_code == 0
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in plot.parent.iterdir()] == ["trend.png"]


def test_index_and_eval_refuse_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for out in _unwritable(tmp_path):
        line = refused(invoke("index", "--kb", str(ROOT / "knowledge"), "--out", str(out)))
        assert line.startswith(f"error: cannot write {out}: ")
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    line = refused(invoke("eval", "--dataset", str(dataset), "--kb", str(ROOT / "knowledge")))
    assert line.startswith(f"error: {dataset / 'queries_val.jsonl'} does not exist")
    query = '{"qid": "q1", "query": "How long is the warranty?", "gold_id": "warranty-period"}\n'
    for split in ("val", "test"):
        (dataset / f"queries_{split}.jsonl").write_text(query, encoding="utf-8")
    blocker = tmp_path / "a-file"
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(blocker))
    line = refused(invoke("eval", "--dataset", str(dataset), "--kb", str(ROOT / "knowledge")))
    assert line.startswith(f"error: cannot write {blocker / 'eval'}")


def test_kb_approve_checks_the_index_before_moving_a_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    drafts = tmp_path / "kb" / "drafts"
    drafts.mkdir(parents=True)
    draft = drafts / "handoff-1.en.md"
    draft.write_text("---\ntitle: T\ncategory: faq\n---\nAnswer.\n", encoding="utf-8")
    monkeypatch.setenv("AFTERCARE_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("AFTERCARE_INDEX_DIR", "/proc/aftercare-test/index")
    assert refused(invoke("kb", "approve", "handoff-1")).startswith("error: cannot write /proc/")
    assert draft.is_file()


def test_chat_script_reads_stdin_that_is_not_utf8(seeded_cli: str) -> None:
    stdin = b"hello\n\xff\xfe broken \xc3 bytes\n\xc2\xb2\n" + b"9" * 5000 + b"\nNUL\x00here\n"
    result = invoke("chat", "--as", "alice", "--script", stdin=stdin)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "> \ufffd\ufffd broken \ufffd bytes" in result.stdout
    assert "> ²" in result.stdout


def test_interactive_chat_reads_input_that_is_not_utf8(seeded_cli: str) -> None:
    result = invoke("chat", "--as", "alice", stdin=b"hi \xff there\nquit\n")
    assert result.exit_code == 0, result.output
    assert result.exception is None


@pytest.mark.parametrize(
    "command",
    [
        ("client", "list"),
        ("db", "upgrade"),
        ("conversation", "show", "1"),
        ("report", "surveys"),
        ("chat", "--as", "alice", "--script"),
    ],
)
def test_an_unreachable_database_is_named(
    command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(tmp_path))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for url, where in (
        (UNREACHABLE_PG, "127.0.0.1:1"),
        (f"sqlite:///{blocker}/aftercare.db", f"{blocker}/aftercare.db"),
        ("sqlite:////proc/aftercare-test.db", "/proc/aftercare-test.db"),
    ):
        monkeypatch.setenv("AFTERCARE_DATABASE_URL", url)
        line = refused(invoke(*command, stdin=b""))
        assert line.startswith(f"error: cannot reach the database at {where}: "), line
        assert "hunter2" not in line


def test_an_unmigrated_database_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    line = refused(invoke("client", "list"))
    assert line == "error: the database schema is not up to date: run `aftercare db upgrade`"


@pytest.mark.parametrize(("name", "value"), [("JOB_MAX_ATTEMPTS", "many"), ("LOG_LEVEL", "loud")])
def test_a_bad_setting_is_named(
    name: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"AFTERCARE_{name}", value)
    for command in (("client", "list"), ("kb", "drafts")):
        assert refused(invoke(*command)).startswith(f"error: AFTERCARE_{name}: ")


def _aftercare(*args: str | bytes, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """The `aftercare` entry point (main(), as the console script calls it) in a process."""
    code = "from adapters.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_the_entry_point_refuses_cleanly(cli_env: str, tmp_path: Path) -> None:
    env = {"AFTERCARE_DATABASE_URL": cli_env, "AFTERCARE_DATA_DIR": str(tmp_path)}
    for args in (
        ("jobs", "retry", str(MAX_ID + 1)),
        ("client", "add", b"\xff\xfe"),  # argv that is not UTF-8
        ("report", "surveys", "--plot", "/proc/aftercare-test/x.png"),
    ):
        done = _aftercare(*args, env=env)
        assert done.returncode == 1
        assert b"Traceback" not in done.stdout + done.stderr
        lines = done.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    done = _aftercare(
        "db", "upgrade", env={**env, "AFTERCARE_DATABASE_URL": "sqlite:////proc/x/aftercare.db"}
    )
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert done.stderr.decode().startswith("error: cannot reach the database at /proc/x/")
