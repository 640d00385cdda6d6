"""What the Slack and Telegram webhook routes share: a body parsed as a JSON object without
surprises, and a refusal that logs a short reason, never the body."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from starlette.responses import Response

from bot.core.metrics import Metrics

log = logging.getLogger(__name__)

MAX_DEPTH = 64  # a real event or update nests a handful of levels; anything deeper is not one
# A JSON string (escapes included) or one bracket; brackets inside strings are not nesting.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.DOTALL)


def json_object(text: str) -> dict[str, Any] | None:
    """`text` as a JSON object, or None: bad JSON, not an object, nesting deeper than
    MAX_DEPTH. Never raises."""
    if _too_deep(text):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _too_deep(text: str) -> bool:
    """Whether brackets nest deeper than MAX_DEPTH, counted in one pass without recursion
    (json.loads itself recurses, and a deep enough body would exhaust the stack)."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        bracket = match.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif bracket in ("]", "}"):
            depth -= 1
    return False


def refuse(metrics: Metrics, channel: str, status: int, reason: str) -> Response:
    """A short plain-text refusal, counted; the log gets the reason, never the body (an
    unauthenticated request may be anything)."""
    log.info("%s: request refused", channel, extra={"status": status, "reason": reason})
    metrics.events_rejected.labels(channel, reason).inc()
    return Response(reason + "\n", status_code=status, media_type="text/plain")
