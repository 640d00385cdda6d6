"""A step run `uncancelled` finishes even when its caller is cancelled half way."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.uncancelled import uncancelled


async def test_a_cancelled_caller_waits_for_the_step_then_is_cancelled() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    record: list[str] = []

    async def send_then_record() -> str:
        started.set()
        await release.wait()  # the platform has not answered yet
        record.append("sent and recorded")
        return "ok"

    caller = asyncio.create_task(uncancelled(send_then_record()))
    await started.wait()
    caller.cancel()
    await asyncio.sleep(0.01)
    assert not caller.done()  # still waiting for the step, not cut off
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert record == ["sent and recorded"]


async def test_uncancelled_returns_the_step_result() -> None:
    async def step() -> int:
        return 7

    assert await uncancelled(step()) == 7
