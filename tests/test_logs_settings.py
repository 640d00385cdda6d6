"""Secrets never reach the logs; every setting is documented; database URLs are normalised."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.logs import RedactingFilter, redact
from bot.settings import Settings, normalise_database_url

ROOT = Path(__file__).resolve().parents[1]


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
