"""Client text stays text on every console page: a spider signs in as an admin, follows every
console link from the start pages, and no page carries the script a client typed, unescaped,
in a client, project or contact name, a ticket title, a chat message or a survey comment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from tests.support.console import add_staff, console_client, sign_in
from tests.support.helpers import console_message

SCRIPT = '<script>alert("pwned")</script>'
START_PAGES = (
    "/console/inbox",
    "/console/tickets?status=all",
    "/console/projects",
    "/console/knowledge",
    "/console/knowledge/gaps",
    "/console/knowledge/deflection",
    "/console/surveys?all=1",
    "/console/admin/staff",
    "/console/admin/tokens",
    "/console/admin/webhooks",
    "/console/admin/settings",
)
_LINK = re.compile(r'href="(/console/[^"#]*)"')
SKIP = ("/console/lang/", "/console/static/", "/console/sign-")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Escalations go to the console's inbox (no Slack staff channel here)."""
    settings.staff_console = True
    return settings


async def _hostile_world(app: App, clock: FakeClock) -> None:
    """Every kind of client text, with a script in it."""
    evil = await app.directory.add_client(f"Evil {SCRIPT} Ltd", "EVIL")
    project = await app.directory.add_project(
        "EVIL", f"Portal {SCRIPT}", clock.now().date(), 12, "gold", "Europe/Berlin"
    )
    mallory = await app.directory.add_contact("EVIL", "mallory", f"Mallory {SCRIPT}", lang="en")
    await app.directory.link("EVIL", "mallory", "console", "mallory")
    for text in (f"Hello {SCRIPT}", f"I need a human {SCRIPT}", f"/human {SCRIPT}"):
        clock.advance(timedelta(minutes=1))
        await app.engine.handle(console_message(clock, text, "mallory"))
    ticket = await app.tickets.open(
        project_id=project.id,
        title=f"Export {SCRIPT}",
        description=f"Steps: {SCRIPT}",
        severity="P2",
        reporter_contact_id=mallory.id,
    )
    await app.tickets.comment(ticket.ref, f"Comment {SCRIPT}", "Mallory")
    await app.tickets.resolve(ticket.ref, "staff", f"note {SCRIPT}")
    survey = await app.surveys.send_csat(ticket.id)
    assert survey is not None
    await app.surveys.vote(survey.id, 1, evil.id)
    await app.surveys.comment(survey.id, f"Awful {SCRIPT}", evil.id)


async def test_no_console_page_runs_client_text(seeded: App, clock: FakeClock) -> None:
    await _hostile_world(seeded, clock)
    dana = await add_staff(seeded)
    seen: set[str] = set()
    queue = list(START_PAGES)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        while queue and len(seen) < 150:
            path = queue.pop(0)
            if path in seen or path.startswith(SKIP):
                continue
            seen.add(path)
            answer = await client.get(path)
            assert answer.status_code < 500, path
            if "text/html" not in answer.headers.get("content-type", ""):
                continue
            assert SCRIPT not in answer.text, f"unescaped client text on {path}"
            queue.extend(link.replace("&amp;", "&") for link in _LINK.findall(answer.text))
    # The spider reached the pages that show the hostile text.
    assert any(p.startswith("/console/tickets/EVIL-") for p in seen), " ".join(sorted(seen))
    assert any(re.match(r"/console/projects/\d+$", p) for p in seen), " ".join(sorted(seen))
    assert any(re.match(r"/console/inbox/\d+$", p) for p in seen), " ".join(sorted(seen))
