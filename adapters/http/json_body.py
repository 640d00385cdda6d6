"""A webhook body as a JSON object, parsed without surprises (Slack and Telegram alike)."""

from __future__ import annotations

import json
import re
from typing import Any

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
