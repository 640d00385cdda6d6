"""Sample data for the demo: ACME (one project, contacts alice in English and wang in Chinese,
an upcoming online training session, a handover checklist partly ticked and confirmed) and
Globex, an accepted project near the end of its warranty with urgent tickets open, so
`aftercare report risk` has something to say.

ACME's project was delivered 20 days ago: the first NPS round (30 days after delivery) is still
ahead, so a first demo conversation is not interrupted by a survey."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from bot.core.directory import ProjectChange
from bot.storage.models import Contact

CONTACT = "alice"  # whom `aftercare chat` chats as by default
STAFF = "Dana (PM)"
# The demo's console sign-in (an admin); `make demo` prints it. Demo data only.
STAFF_EMAIL = "dana@aftercare.demo"
STAFF_PASSWORD = "aftercare-demo"  # noqa: S105 (published demo data)


async def seed(app: App) -> bool:
    """Seed on first run only; returns False when clients already exist."""
    if await app.directory.list_clients():
        return False
    today = app.clock.now().date()
    await app.directory.add_client("Acme Corp", "ACME")
    portal = await app.directory.add_project(
        "ACME", "Acme Portal", today - timedelta(days=20), 12, "gold", "Europe/Berlin"
    )
    alice = await app.directory.add_contact(
        "ACME", "alice", "Alice Martin", "alice@acme.example", "en"
    )
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
    await _handover_under_way(app, portal.id, alice)
    await _globex(app)
    await app.staff.add(STAFF, STAFF_EMAIL, "admin", STAFF_PASSWORD)
    return True


async def _handover_under_way(app: App, project_id: int, alice: Contact) -> None:
    """Staff ticked the first four items; Alice confirmed the first two."""
    for key in ("acceptance_tests", "user_manual", "technical_docs", "project_report"):
        await app.handover.tick(project_id, key, STAFF)
    view = await app.handover.checklist(project_id)
    for item in view.items[:2]:
        await app.handover.confirm(
            item.id, client_id=view.client_id, contact_id=alice.id, by=alice.name
        )


async def _globex(app: App) -> None:
    """Accepted long ago, warranty ending in three weeks, a P1 and a P2 open, nobody writing."""
    today = app.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    delivered = today - timedelta(days=345)
    await app.directory.add_client("Globex Logistics", "GLOBEX")
    project = await app.directory.add_project(
        "GLOBEX", "Warehouse App", delivered, 12, "silver", "Asia/Shanghai"
    )
    await app.directory.update_project(
        "GLOBEX",
        "Warehouse App",
        ProjectChange(
            accepted_on=delivered + timedelta(days=14), warranty_until=today + timedelta(days=20)
        ),
    )
    await app.directory.add_contact("GLOBEX", "li", "李娜", "li@globex.example", "zh")
    await app.directory.link("GLOBEX", "li", "console", "li")
    await app.tickets.open(
        project_id=project.id,
        title="Scanners cannot sync stock counts",
        description="Since this morning no handheld scanner uploads its counts.",
        severity="P1",
        category="incident",
        actor=STAFF,
    )
    await app.tickets.open(
        project_id=project.id,
        title="Nightly report arrives late",
        description="The 06:00 stock report arrived at 09:40 three days in a row.",
        severity="P2",
        category="incident",
        actor=STAFF,
    )
