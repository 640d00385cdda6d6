"""Chart images for console pages: drawn in a worker thread (matplotlib is CPU work), one at a
time. matplotlib's first import is not thread-safe: two charts of one page, requested together
by the browser, once broke it half-imported (a circular-import error on every chart after)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from starlette.responses import Response

_LOCK = threading.Lock()


async def png_response(draw: Callable[[], bytes]) -> Response:
    """`draw()`'s PNG bytes as an image response, never cached."""

    def locked() -> bytes:
        with _LOCK:
            return draw()

    png = await asyncio.to_thread(locked)
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
