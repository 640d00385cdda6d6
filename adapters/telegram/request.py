"""PTB's httpx request with retries for network errors that prove the request was never sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# Raised before a byte reached Telegram, so sending again cannot duplicate a message.
# (A read timeout is not here: the message may have been delivered already.)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RetryingRequest(HTTPXRequest):
    """Retries a failed connection after each of `delays` seconds, then gives up.

    Flood limits (429 RetryAfter) are PTB's AIORateLimiter's job; the outbox retries what
    still fails, with backoff.
    """

    def __init__(self, delays: Sequence[float] = (0.5, 2.0), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._delays = tuple(delays)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for delay in self._delays:
            try:
                return await super().do_request(*args, **kwargs)
            except NetworkError as exc:
                if not isinstance(exc.__cause__, _NOT_SENT):
                    raise
                log.warning("telegram: connection failed, retrying", extra={"error": str(exc)})
                await asyncio.sleep(delay)
        return await super().do_request(*args, **kwargs)
