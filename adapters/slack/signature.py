"""Slack request signatures (v0:{timestamp}:{body}, HMAC-SHA256), checked before anything else.

slack_sdk's SignatureVerifier raises on a non-numeric timestamp, a body that is not UTF-8 or
a non-ASCII signature; on unauthenticated input we must only ever say no, so this is ten
lines of our own over the raw bytes, exactly as Slack signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_AGE_SECONDS = 300  # Slack's own recommendation: refuse replays older than five minutes


def rejection(
    secret: bytes, body: bytes, timestamp: str, signature: str, now: float | None = None
) -> str | None:
    """Why the request is not Slack's (a short reason to log), or None when it is."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return "bad timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale timestamp"
    digest = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    expected = ("v0=" + digest.hexdigest()).encode()
    if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        return "bad signature"
    return None
