"""Sample data for the demo: one client, one project, two contacts (English and Chinese).

The project was delivered 20 days ago: the first NPS round (30 days after delivery) is still
ahead, so a first demo conversation is not interrupted by a survey."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App


async def seed(app: App) -> bool:
    """Seed on first run only; returns False when clients already exist."""
    if await app.directory.list_clients():
        return False
    today = app.clock.now().date()
    await app.directory.add_client("Acme Corp", "ACME")
    await app.directory.add_project(
        "ACME", "Acme Portal", today - timedelta(days=20), 12, "gold", "Europe/Berlin"
    )
    await app.directory.add_contact("ACME", "alice", "Alice Martin", "alice@acme.example", "en")
    await app.directory.add_contact(
        "ACME", "wang", "王伟", "wang@acme.example", "zh", "Asia/Shanghai"
    )
    await app.directory.link("ACME", "alice", "console", "alice")
    await app.directory.link("ACME", "wang", "console", "wang")
    return True
