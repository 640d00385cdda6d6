"""The staff side in Slack: each ticket gets one thread in the staff channel, with its buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.settings import Settings
from bot.storage.models import Client, Project
from tests.adapters.slack.test_slack_events import Running, slack  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The staff channel is known when the app is built (the ticket service posts there)."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, database_url=database_url, slack_staff_channel="CSTAFF"
    )


async def test_a_new_ticket_opens_a_staff_thread_that_its_updates_join(
    slack: Running,  # noqa: F811
) -> None:
    async with slack.app.db.session() as session:
        project_id = await session.scalar(select(Project.id))
        client_id = await session.scalar(select(Client.id))
    assert project_id is not None and client_id is not None
    ticket = await slack.app.tickets.open(
        project_id=project_id, title="Export broken", description="500 on CSV", severity="P2"
    )
    [opened] = await slack.api.wait_for("chat.postMessage", 1)
    assert opened["channel"] == "CSTAFF" and opened.get("thread_ts") is None
    assert f"New ticket {ticket.ref} (P2" in opened["text"]
    labels = [
        e["text"]["text"] for b in opened["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Acknowledge", "Assign to me", "Resolve"]
    await slack.app.tickets.comment(ticket.ref, "Still failing", "Alice", client_id=client_id)
    posts = await slack.api.wait_for("chat.postMessage", 2)
    assert "Alice commented on" in posts[1]["text"]
    assert posts[1]["thread_ts"] == "1700000000.000001"  # the ticket's own thread
