"""Secrets never reach the logs; every setting is documented; database URLs are normalised."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.core.errors import ConfigError
from bot.core.logs import RedactingFilter, configure_logging, escape, redact
from bot.core.settings import Settings, normalise_database_url, shown_settings

ROOT = Path(__file__).resolve().parents[2]


def test_tokens_are_redacted() -> None:
    line = (
        "POST https://api.telegram.org/bot123456789:AAHk-abcdefghijklmnopqrstuvwxyz012345/sendMessage"
        " with xoxb-1111-2222-abcdef and xapp-1-A0-zz and ?secret=hunter2"
    )
    cleaned = redact(line)
    for leaked in ("AAHk-abc", "xoxb-1111", "xapp-1-A0", "hunter2"):
        assert leaked not in cleaned


def test_filter_redacts_configured_secrets_and_extras(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("aftercare.test")
    handler_filter = RedactingFilter(("s3cr3t-value",))
    record = logger.makeRecord(
        "aftercare.test",
        logging.INFO,
        __file__,
        1,
        "using %s",
        ("s3cr3t-value",),
        None,
        extra={"token_hint": "xoxb-9-9-abc"},
    )
    assert handler_filter.filter(record)
    assert "s3cr3t-value" not in record.getMessage()
    assert "xoxb" not in record.__dict__["token_hint"]


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [
        f"AFTERCARE_{name.upper()}"
        for name in Settings.model_fields
        if f"`AFTERCARE_{name.upper()}`" not in readme
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite+aiosqlite:///var/aftercare.db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
    ],
)
def test_database_urls(given: str | None, expected: str) -> None:
    assert normalise_database_url(given, Path("var")) == expected


def test_unsupported_database_url() -> None:
    with pytest.raises(ConfigError):
        normalise_database_url("mysql://x", Path("var"))


FORGED = "\n2026-01-01 INFO forged: line"


@pytest.fixture
def emit(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[bool], list[str]]]:
    """Log through configure_logging's handler (text or JSON) and return the stderr lines."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)

    def run(json_lines: bool) -> list[str]:
        configure_logging("INFO", json_lines, ("s3cr3t-value",))
        log = logging.getLogger("aftercare.test")
        log.warning("user said %s", FORGED, extra={"job": 7, "error": "a b\r\nc", "kind": "x"})
        try:
            raise ValueError("boom\nwith s3cr3t-value and xoxb-1-2-abc\r\n2026-01-01 INFO forged")
        except ValueError:
            log.exception("handler failed", extra={"conversation": 3})
        return capsys.readouterr().err.splitlines()

    try:
        yield run
    finally:
        root.handlers, root.level = saved


def test_text_logs_are_one_line_per_record(emit: Callable[[bool], list[str]]) -> None:
    message, failure = emit(False)
    assert message.endswith(
        r"WARNING aftercare.test: user said \n2026-01-01 INFO forged: line"
        r' job=7 error="a b\r\nc" kind=x'
    )
    assert "ERROR aftercare.test: handler failed conversation=3 | Traceback" in failure
    assert r"ValueError: boom\nwith [redacted] and [redacted]\r\n2026-01-01 INFO forged" in failure


def test_json_logs_are_one_line_per_record(emit: Callable[[bool], list[str]]) -> None:
    message, failure = (json.loads(line) for line in emit(True))
    assert message["msg"] == f"user said {FORGED}"
    assert (message["job"], message["error"]) == (7, "a b\r\nc")
    assert failure["conversation"] == 3
    assert "ValueError: boom\nwith [redacted] and [redacted]" in failure["exc"]


def test_escape_covers_every_line_break() -> None:
    breaks = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x1b\x7f"
    assert len(f"a{escape(breaks)}b".splitlines()) == 1
    assert escape("tab\there") == r"tab\there"


def test_search_libraries_say_nothing_below_a_warning_when_loaded() -> None:
    """faiss logs while it is imported and bm25s turns its own logger to DEBUG when imported;
    neither shows in a log at DEBUG. In a process of its own: here both are imported already."""
    script = (
        "import logging; logging.basicConfig(level=logging.DEBUG)\n"
        "from bot.knowledge.index_files import quiet_libraries\n"
        "quiet_libraries()\n"
        "import bm25s, faiss\n"
        "logging.getLogger('bm25s').debug('bm25s debug')\n"
        "logging.getLogger('faiss.loader').info('faiss info')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "faiss" not in done.stderr and "bm25s" not in done.stderr, done.stderr


def test_shown_settings_hide_secrets_and_url_credentials() -> None:
    config = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url="postgresql://app:s3cret-pw@db.example:5432/aftercare?sslpassword=zq9zq&x=1",
        slack_bot_token=SecretStr("xoxb-123-456-abcdef"),
        telegram_webhook_secret=SecretStr("hook-secret-value"),
    )
    shown = {s.name: s for s in shown_settings(config)}
    assert shown["AFTERCARE_DATABASE_URL"].value == (
        "postgresql://app:********@db.example:5432/aftercare?sslpassword=********&x=1"
    )
    assert shown["AFTERCARE_SLACK_BOT_TOKEN"].value == "********"
    assert shown["AFTERCARE_SLACK_BOT_TOKEN"].secret
    assert shown["AFTERCARE_SLACK_APP_TOKEN"].value == ""  # not set, and says so
    assert shown["AFTERCARE_RISK_ALERT_THRESHOLD"].value == "60"
    text = repr(list(shown.values()))
    for secret in ("s3cret-pw", "xoxb-123", "hook-secret", "zq9zq"):
        assert secret not in text
