"""Structured logging that never prints secrets: tokens are redacted on every handler, and each
record is one line (text or JSON), whatever its message, extra fields or traceback contain."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SECRET_PATTERNS = (
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),  # Slack bot/user tokens
    re.compile(r"xapp-[A-Za-z0-9-]+"),  # Slack app-level tokens
    re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}"),  # Telegram bot tokens (also inside URLs)
    re.compile(r"(?i)(secret|token|password)=([^&\s]+)"),
)
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: everything a terminal
# or `str.splitlines` could take for the end of a line, or that would reach it unseen.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_PLAIN = re.compile(r"[^\s\"'=\\]+")


def redact(text: str) -> str:
    """Replace anything that looks like a credential with a marker."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 2:
            text = pattern.sub(lambda m: f"{m.group(1)}=[redacted]", text)
        else:
            text = pattern.sub("[redacted]", text)
    return text


def escape(text: str) -> str:
    """`text` on one line: newlines, carriage returns and other control characters as escapes
    (a newline becomes the two characters `\\n`), so no message can forge a log line."""
    return text.translate(_ESCAPES)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, extra fields and traceback with secrets removed."""

    def __init__(self, extra_secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._extra = tuple(s for s in extra_secrets if len(s) >= 6)

    def _clean(self, text: str) -> str:
        for secret in self._extra:
            text = text.replace(secret, "[redacted]")
        return redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Rendered here, once, so every formatter prints the redacted text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and not isinstance(value, int | float | bool | None):
                setattr(record, key, self._clean(str(value)))
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ... | traceback`, always on one line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        parts = [self.formatMessage(record)]
        parts += [f"{key}={_quoted(value)}" for key, value in _extras(record)]
        line = " ".join(parts)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        for trace in (record.exc_text, record.stack_info):
            if trace:
                line += " | " + trace.strip()
        return escape(line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extras(record):
            payload[key] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = redact(record.exc_text)
        if record.stack_info:
            payload["stack"] = redact(record.stack_info)
        return json.dumps(payload, ensure_ascii=False)


def _extras(record: logging.LogRecord) -> list[tuple[str, Any]]:
    """The fields a caller passed with `extra=`."""
    return [(k, v) for k, v in vars(record).items() if k not in _STANDARD_ATTRS]


def _quoted(value: object) -> str:
    """A value for `key=value`: bare when it is one plain word, else in double quotes with
    JSON escapes, so a space, a quote or an `=` cannot be mistaken for the next field."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def configure_logging(
    level: str, json_lines: bool, secrets: tuple[str, ...] = (), to_file: Path | None = None
) -> None:
    """Install one handler with redaction, on stderr or appending to `to_file` (an interactive
    chat keeps its log out of the conversation); safe to call more than once."""
    handler: logging.Handler
    if to_file is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        to_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(to_file, encoding="utf-8")
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # httpx logs full request URLs, and Telegram's carry the bot token.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    # matplotlib announces its font cache on a fresh machine: noise inside a command's output.
    logging.getLogger("matplotlib").setLevel(max(logging.WARNING, root.level))
