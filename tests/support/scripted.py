"""Scripted console chats through the real `aftercare` command against the test's database
(the `cli_env` fixture), with ACME's project Portal delivered DELIVERED_DAYS_AGO days ago."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from tests.support.cli import invoke

T = TypeVar("T")
DELIVERED_DAYS_AGO = 20


def query(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_async_engine(url)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def setup_acme_portal(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """ACME with project Portal delivered 20 days ago (UTC) and alice on the console."""
    monkeypatch.setenv("AFTERCARE_SLACK_STAFF_CHANNEL", "CSTAFF")
    today = datetime.now(UTC).date()
    delivered = today - timedelta(days=DELIVERED_DAYS_AGO)
    assert invoke("client", "add", "Acme Corp", "--code", "ACME")[0] == 0
    code, _, err = invoke(
        "project", "add", "--client", "ACME", "--name", "Portal",
        "--delivered", delivered.isoformat(), "--warranty-months", "12",
        "--sla-tier", "gold", "--timezone", "UTC",
    )  # fmt: skip
    assert code == 0, err
    for handle, lang in (("alice", "en"), ("wang", "zh")):
        assert (
            invoke("contact", "add", "--client", "ACME", "--handle", handle, "--lang", lang)[0] == 0
        )
        assert invoke(
            "contact", "link", "--client", "ACME", "--handle", handle,
            "--channel", "console", "--user-id", handle,
        )[0] == 0  # fmt: skip
    return datetime.combine(delivered, datetime.min.time(), UTC)


def chat(handle: str, *lines: str) -> str:
    code, out, err = invoke("chat", "--as", handle, "--script", stdin="\n".join(lines) + "\n")
    assert code == 0, err
    return out
