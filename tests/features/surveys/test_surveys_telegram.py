"""A CSAT survey through the real Telegram adapter: score buttons side by side, a click that
removes the keyboard, and one vote however often the click arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import Address, Button, Reply
from bot.core.settings import Settings
from bot.storage.models import Conversation, Project
from tests.support.surveys import surveys
from tests.support.telegram import ALICE, FakeBotApi, callback, feed, private_text, telegram_adapter


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, database_url=database_url, slack_staff_channel="CSTAFF"
    )


@pytest.fixture
async def telegram(seeded: App) -> AsyncIterator[tuple[FakeBotApi, TelegramAdapter]]:
    await seeded.directory.link("ACME", "alice", "telegram", str(ALICE["id"]))
    api = FakeBotApi()
    adapter = telegram_adapter(seeded, api)
    await adapter.start(embedded=False)
    try:
        yield api, adapter
    finally:
        await adapter.stop()


def _rows(args: dict[str, Any]) -> list[list[str]]:
    return [[b["text"] for b in row] for row in args["reply_markup"]["inline_keyboard"]]


async def test_score_buttons_sit_side_by_side(
    telegram: tuple[FakeBotApi, TelegramAdapter],
) -> None:
    api, adapter = telegram
    address = Address("telegram", "", str(ALICE["id"]))
    scale = tuple(Button(str(n), f"survey:v:1:{n}") for n in range(11))
    await adapter.sender.send(address, Reply("How likely…?", buttons=scale))
    await adapter.sender.send(address, Reply("Pick", buttons=(Button("Billing", "kb:b"),) * 2))
    nps, other = api.sent()
    assert _rows(nps) == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]
    assert _rows(other) == [["Billing"], ["Billing"]]  # words keep one button a row


async def test_csat_click_on_telegram_votes_once(
    seeded: App, clock: FakeClock, telegram: tuple[FakeBotApi, TelegramAdapter]
) -> None:
    api, adapter = telegram
    await feed(adapter, private_text("/help"))
    async with seeded.db.session() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.channel == "telegram")
        )
        project_id = await session.scalar(select(Project.id))
    assert conversation is not None and project_id is not None
    ticket = await seeded.tickets.open(
        project_id=project_id,
        title="Export broken",
        description="x",
        severity="P3",
        reporter_contact_id=conversation.contact_id,
        conversation_id=conversation.id,
    )
    await seeded.tickets.resolve(ticket.ref, "bob")
    clock.advance(timedelta(hours=24))
    await seeded.scheduler.run_due()
    await seeded.outbox.deliver({"telegram": adapter.sender})
    question = next(a for a in api.sent() if "How satisfied" in a["text"])
    assert _rows(question) == [["1", "2", "3", "4", "5"]]

    first, second = (callback(api.message(question), index=i) for i in (1, 3))
    await feed(adapter, first)
    await feed(adapter, second)  # a second tap on the same message (a stale client)
    [edit, *_] = api.sent("editMessageText")
    assert "reply_markup" not in edit and "2" in edit["text"]
    thanks = [a for a in api.sent() if "reach out" in a["text"]]
    assert len(thanks) == 1
    [survey] = await surveys(seeded)
    assert survey.score == 2
    assert len(await seeded.surveys.followups()) == 1
