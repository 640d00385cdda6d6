"""The staff side of tickets: the buttons on a ticket's staff-channel messages, and their clicks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.settings import Settings
from bot.storage.models import OutboxItem, Project


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.slack_staff_channel = "CSTAFF"
    return settings


async def _open(app: App) -> str:
    async with app.db.session() as session:
        project_id = await session.scalar(select(Project.id))
    assert project_id is not None
    view = await app.tickets.open(
        project_id=project_id, title="Export broken", description="x", severity="P2"
    )
    return view.ref


async def test_a_new_tickets_staff_message_offers_acknowledge_assign_and_resolve(
    seeded: App,
) -> None:
    ref = await _open(seeded)
    async with seeded.db.session() as session:
        [post] = await session.scalars(select(OutboxItem).where(OutboxItem.chat_id == "CSTAFF"))
    assert [b["payload"] for b in post.reply["buttons"]] == [
        f"staff:ack:{ref}",
        f"staff:mine:{ref}",
        f"staff:resolve:{ref}",
    ]


async def test_a_click_acts_as_the_staff_member_and_says_what_happened(seeded: App) -> None:
    ref = await _open(seeded)
    click = seeded.staff_actions["staff"]
    assert await click(f"ack:{ref}", "Sam") == f"{ref}: acknowledged by Sam"
    assert await click(f"mine:{ref}", "Sam") == f"{ref}: acknowledged by Sam"
    assert (await seeded.tickets.get(ref)).assignee == "Sam"
    assert await click(f"resolve:{ref}", "Sam") == f"{ref}: resolved by Sam"
    with pytest.raises(InvalidInputError, match="unknown staff action"):
        await click(f"delete:{ref}", "Sam")
    with pytest.raises(NotFoundError):
        await click("ack:NOPE-1", "Sam")
