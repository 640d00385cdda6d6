"""Training end to end in the console with a fake clock: /training, Register, reminders a day
and an hour before from the scheduler, materials and a rating after; moves, cancellations, and
one client never seeing another's sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.console.chat import render
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.scheduler import JobState
from bot.features.training.models import TrainingAttendee
from tests.support.helpers import console_message
from tests.support.surveys import chat_as

# The console shows what was queued before a turn first ([0]) and what the turn's due jobs
# sent after the answer ([-1]).

# Thursday 10:00 in Berlin (UTC+1): 09:00 UTC; the fixture's clock starts Monday 09:00 UTC.
AT = "2026-03-05 10:00"
STARTS = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


async def _reminders(app: App, state: JobState = JobState.PENDING) -> dict[str, datetime]:
    jobs = await app.scheduler.jobs(state=state, kind="training.remind", limit=1000)
    return {j.key or "": j.due_at for j in jobs}


async def _attendees(app: App) -> list[TrainingAttendee]:
    async with app.db.session() as session:
        return list(await session.scalars(select(TrainingAttendee).order_by(TrainingAttendee.id)))


async def test_register_be_reminded_get_materials_and_rate(seeded: App, clock: FakeClock) -> None:
    view = await seeded.training.add(
        "Portal", "basic", AT, link="https://meet.example/portal", minutes=60
    )
    assert view.starts_at == STARTS and view.title == "Basic training: Portal"
    alice = await chat_as(seeded, "alice")

    async def say(line: str) -> list[str]:
        return [render(r) for r in await alice.say(line)]

    listing = await say("/training")
    assert listing == [
        "Upcoming training sessions:\n"
        "1. Basic training: Portal (basic, Portal)\n"
        "  2026-03-05 10:00 (Europe/Berlin)\n"
        "  Online: https://meet.example/portal\n"
        "  [1] Register: Basic training: Portal"
    ]
    assert await say("1") == [
        "You are registered for Basic training: Portal on 2026-03-05 10:00 (Europe/Berlin).\n"
        "Online: https://meet.example/portal\n"
        "We will remind you a day and an hour before."
    ]
    keys = {
        f"training:{view.id}:remind:1:1d": STARTS - timedelta(days=1),
        f"training:{view.id}:remind:1:1h": STARTS - timedelta(hours=1),
    }
    assert await _reminders(seeded) == keys
    # Registering again (a second click, a retried delivery) duplicates nothing.
    again = await seeded.engine.handle(
        console_message(clock, "Register", payload=f"training:reg:{view.id}")
    )
    assert again[0].kind == "training_registered"
    assert await _reminders(seeded) == keys
    assert "✓ You are registered." in (await say("/training"))[0]

    clock.set(STARTS - timedelta(days=1))
    pushed = await say("/help")
    assert pushed[-1] == (
        "Reminder: Basic training: Portal is tomorrow, 2026-03-05 10:00 (Europe/Berlin).\n"
        "Online: https://meet.example/portal"
    )
    await seeded.training.add_material(view.id, "https://files.example/slides.pdf")
    clock.set(STARTS - timedelta(hours=1))
    assert (await say("/help"))[-1].startswith("Reminder: Basic training: Portal starts in an hour")
    assert await _reminders(seeded, JobState.DONE) == keys
    assert [r.kind for r in await alice.say("/help")] == ["help"]  # nothing new

    clock.set(STARTS + timedelta(minutes=60))
    after = (await say("/help"))[-1]
    assert after == (
        "Thank you for joining Basic training: Portal.\n"
        "Materials:\nhttps://files.example/slides.pdf\n"
        "How would you rate the session?\n1 = poor, 5 = excellent.\n"
        "  [1] [2] [3] [4] [5]"
    )
    assert await say("4") == ["Thank you for your rating (4)."]
    [attendee] = await _attendees(seeded)
    assert (attendee.rating, attendee.attended) == (4, True)
    second = await seeded.engine.handle(
        console_message(clock, "2", payload=f"training:rate:{view.id}:2")
    )
    assert second[0].text == "You have already rated this session (4). Thank you!"
    # Wang never registered: no reminder, no rating question.
    wang = await chat_as(seeded, "wang")
    assert [r.kind for r in await wang.say("/help")] == ["help"]
    # Materials added after the session go to its participants at once.
    await seeded.training.add_material(view.id, "https://files.example/recording.mp4")
    assert (await say("/help"))[0] == (
        "New material for Basic training: Portal:\nhttps://files.example/recording.mp4"
    )
    staff = await seeded.training.set_attendance(view.id, "wang", False)
    assert (staff.registered, staff.attended) == (False, False)
    [listed] = await seeded.training.sessions("portal")
    assert (listed.registered, listed.attended, listed.ratings) == (1, 1, (4,))


async def test_moving_a_session_moves_the_reminders_and_cancelling_drops_them(
    seeded: App, clock: FakeClock
) -> None:
    view = await seeded.training.add("Portal", "advanced", AT, address="Acme HQ, Room 4")
    alice = await chat_as(seeded, "alice")
    await alice.say("/training")
    await alice.say("1")
    moved = await seeded.training.move(view.id, "2026-03-06 14:00")
    new_start = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)
    assert moved.starts_at == new_start
    assert await _reminders(seeded) == {
        f"training:{view.id}:remind:1:1d": new_start - timedelta(days=1),
        f"training:{view.id}:remind:1:1h": new_start - timedelta(hours=1),
    }
    told = render((await alice.say("/help"))[0])
    assert told.startswith(
        "Advanced training: Portal has moved to 2026-03-06 14:00 (Europe/Berlin)"
    )
    assert "On site: Acme HQ, Room 4" in told
    clock.set(STARTS - timedelta(days=1))  # the old reminder time: nothing fires
    assert [r.kind for r in await alice.say("/help")] == ["help"]

    await seeded.training.cancel(view.id)
    assert await _reminders(seeded) == {}
    cancelled = render((await alice.say("/help"))[0])
    assert cancelled == (
        "Advanced training: Portal on 2026-03-06 14:00 (Europe/Berlin) has been cancelled. "
        "We are sorry for the change."
    )
    assert [r.kind for r in await alice.say("/training")] == ["training_none"]
    clock.set(new_start + timedelta(hours=3))
    assert [r.kind for r in await alice.say("/help")] == ["help"]  # no rating question either
    with pytest.raises(InvalidInputError, match="cancelled"):
        await seeded.training.move(view.id, "2026-03-20 10:00")


async def test_a_contact_never_sees_or_joins_another_clients_session(
    seeded: App, clock: FakeClock
) -> None:
    await seeded.directory.add_client("Beta Ltd", "BETA")
    await seeded.directory.add_project(
        "BETA", "Beta Shop", clock.now().date(), 12, "silver", "Asia/Shanghai"
    )
    await seeded.directory.add_contact("BETA", "bo", "Bo")
    await seeded.directory.link("BETA", "bo", "console", "bo")
    theirs = await seeded.training.add(
        "Beta Shop", "custom", AT, link="https://meet.example/beta-secret"
    )
    alice = await chat_as(seeded, "alice")
    assert [render(r) for r in await alice.say("/training")] == [
        "There are no upcoming training sessions for your projects."
    ]
    forged = await seeded.engine.handle(
        console_message(clock, "x", payload=f"training:reg:{theirs.id}")
    )
    assert forged[0].kind == "training_gone" and "beta-secret" not in forged[0].text
    rated = await seeded.engine.handle(
        console_message(clock, "5", payload=f"training:rate:{theirs.id}:5")
    )
    assert rated[0].kind == "training_gone"
    assert await _attendees(seeded) == []
    bo = await chat_as(seeded, "bo")
    assert "beta-secret" in render((await bo.say("/training"))[0])
    with pytest.raises(NotFoundError, match="not a contact"):
        await seeded.training.set_attendance(theirs.id, "alice", True)


async def test_bad_input_is_refused_clearly(seeded: App) -> None:
    add = seeded.training.add
    with pytest.raises(InvalidInputError, match="exactly one"):
        await add("Portal", "basic", AT)
    with pytest.raises(InvalidInputError, match="exactly one"):
        await add("Portal", "basic", AT, link="https://x.example", address="HQ")
    with pytest.raises(InvalidInputError, match="unknown training kind"):
        await add("Portal", "expert", AT, address="HQ")
    with pytest.raises(InvalidInputError, match="in the past"):
        await add("Portal", "basic", "2026-03-01 10:00", address="HQ")
    with pytest.raises(InvalidInputError, match="bad time"):
        await add("Portal", "basic", "next tuesday", address="HQ")
    with pytest.raises(InvalidInputError, match="bad link"):
        await add("Portal", "basic", AT, link="javascript:alert(1)")
    with pytest.raises(NotFoundError, match="no project named 'Nope'"):
        await add("Nope", "basic", AT, address="HQ")
    with pytest.raises(NotFoundError, match="no training session 99"):
        await seeded.training.add_material(99, "https://x.example/a")
    assert await seeded.training.sessions("Portal") == []
