"""Sample data for the demo: one client, one project, two contacts (English and Chinese) and an
upcoming online training session.

The project was delivered 20 days ago: the first NPS round (30 days after delivery) is still
ahead, so a first demo conversation is not interrupted by a survey."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

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
    berlin = app.clock.now().astimezone(ZoneInfo("Europe/Berlin")).date()
    start = datetime.combine(berlin + timedelta(days=7), time(10))
    await app.training.add(
        "Acme Portal",
        "basic",
        f"{start:%Y-%m-%d %H:%M}",
        link="https://meet.example/acme-portal-basics",
        title="Acme Portal basics",
        client_ref="ACME",
    )
    return True
