"""Webhook signatures: HMAC-SHA256 of `v1:{timestamp}:{body}` with the webhook's secret, sent as
`X-Aftercare-Signature: v1=<hex>`; receivers check it with `verify` (the timestamp is signed too,
so an old delivery replayed later is refused)."""

from __future__ import annotations

import hashlib
import hmac

VERSION = "v1"
TOLERANCE = 300  # seconds a delivery's timestamp may be away from the receiver's clock


def sign(secret: str, timestamp: str | int, body: str | bytes) -> str:
    """The `X-Aftercare-Signature` value for `body` sent at `timestamp` (Unix seconds)."""
    raw = body.encode() if isinstance(body, str) else body
    message = f"{VERSION}:{timestamp}:".encode() + raw
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify(
    secret: str,
    timestamp: str | int,
    body: str | bytes,
    signature: str,
    now: float,
    tolerance: float = TOLERANCE,
) -> bool:
    """Whether a delivery is genuine and fresh: `signature` (X-Aftercare-Signature) matches the
    raw `body` and `timestamp` (X-Aftercare-Timestamp), and the timestamp is within `tolerance`
    seconds of `now` (the receiver's `time.time()`). Compare the body as received, before any
    JSON parsing."""
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    if abs(now - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, str(timestamp).strip(), body), signature.strip())
