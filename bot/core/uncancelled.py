"""Run a step that must not stop half-way (a message sent but not recorded as sent)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def uncancelled(step: Coroutine[Any, Any, T]) -> T:
    """Await `step` to its end even if the caller is cancelled meanwhile; the cancellation
    is then passed on. A graceful stop cancels work in hand, and a send cut off between
    the platform's answer and the database's record would be sent again by another process.
    """
    task = asyncio.ensure_future(step)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            await asyncio.wait({task})
        raise
