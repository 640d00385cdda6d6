"""/hours: each project's support hours in its own timezone, and whether the team is in now."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import FakeClock
from bot.features.hours.chat import days_text
from tests.support.helpers import console_message


def test_working_days_read_as_people_write_them() -> None:
    assert days_text(frozenset(range(5)), "en") == "Mon-Fri"
    assert days_text(frozenset(range(5)), "zh") == "周一至周五"
    assert days_text(frozenset({0, 2}), "en") == "Mon, Wed"
    assert days_text(frozenset({0, 1, 2, 5, 6}), "en") == "Mon-Wed, Sat, Sun"


async def test_in_hours_the_team_is_in(seeded: App, clock: FakeClock) -> None:
    clock.advance(timedelta(hours=2))  # Monday 2026-03-02 12:00 in Berlin
    [reply] = await seeded.engine.handle(console_message(clock, "/hours"))
    assert reply.text == (
        "Portal (gold SLA): Mon-Fri, 09:00-18:00 (Europe/Berlin), except public holidays. "
        "P1 incidents are handled around the clock.\nThe team is in now."
    )


async def test_at_the_weekend_it_says_when_the_team_is_back(seeded: App, clock: FakeClock) -> None:
    clock.advance(timedelta(days=5, hours=2))  # Saturday
    [reply] = await seeded.engine.handle(console_message(clock, "/hours", user="wang"))
    assert "周一至周五 09:00-18:00（Europe/Berlin）" in reply.text
    assert "将于 2026-03-09 09:00（Europe/Berlin）回来" in reply.text


async def test_every_project_of_the_client_is_listed(seeded: App, clock: FakeClock) -> None:
    start = clock.now().date()
    await seeded.directory.add_project("ACME", "Warehouse", start, 12, "bronze", "Asia/Shanghai")
    [reply] = await seeded.engine.handle(console_message(clock, "/hours"))
    assert "Portal (gold SLA)" in reply.text and "Warehouse (bronze SLA)" in reply.text
    assert "(Asia/Shanghai)" in reply.text


async def test_an_unlinked_sender_is_told_how_to_link(seeded: App, clock: FakeClock) -> None:
    [reply] = await seeded.engine.handle(console_message(clock, "/hours", user="mallory"))
    assert reply.kind == "not_linked"
