"""Follow-ups on the scheduler with a fake clock: check-ins, warranty notices, rescheduling,
catch-up after a stop, quiet hours, and waiting-on-client reminders and auto-close."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.directory import ProjectChange
from bot.core.messages import reply_from_json
from bot.core.scheduler import JobState
from bot.storage.models import Conversation, OutboxItem, Project
from tests.support.helpers import console_message


async def _project_id(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(Project.id).where(Project.name == "Portal")) or 0)


async def _pushes(app: App, kind: str | None = None) -> list[OutboxItem]:
    async with app.db.session() as session:
        rows = list(await session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
    return [r for r in rows if kind is None or r.reply.get("kind") == kind]


async def _pending(app: App) -> dict[str, datetime]:
    jobs = await app.scheduler.jobs(state=JobState.PENDING, limit=1000)
    return {j.key or "": j.due_at for j in jobs if j.kind.startswith("followup.")}


async def test_a_new_project_gets_its_check_ins_and_warranty_notices(seeded: App) -> None:
    pid = await _project_id(seeded)
    # Delivered 2026-03-02, Europe/Berlin (UTC+1 in winter, +2 from 29 March): 10:00 local.
    assert await _pending(seeded) == {
        f"project:{pid}:checkin:7": datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
        f"project:{pid}:checkin:30": datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
        f"project:{pid}:checkin:90": datetime(2026, 5, 31, 8, 0, tzinfo=UTC),
        f"project:{pid}:warranty:30": datetime(2027, 1, 31, 9, 0, tzinfo=UTC),
        f"project:{pid}:warranty:7": datetime(2027, 2, 23, 9, 0, tzinfo=UTC),
    }


async def test_the_schedule_lists_what_is_pending_and_what_was_sent(
    seeded: App, clock: FakeClock
) -> None:
    pid = await _project_id(seeded)
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    assert await seeded.scheduler.run_due() == 1
    schedule = await seeded.followups.schedule(pid)
    assert [(f.label, f.state) for f in schedule] == [
        ("checkin:7", "done"),
        ("checkin:30", "pending"),
        ("checkin:90", "pending"),
        ("warranty:30", "pending"),
        ("warranty:7", "pending"),
    ]
    assert schedule[1].due_at == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    assert await seeded.followups.schedule(pid + 1) == []


async def test_a_check_in_reaches_every_contact_once_in_their_language(
    seeded: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    assert await seeded.scheduler.run_due() == 1
    pushes = await _pushes(seeded, "followup_checkin")
    assert [p.chat_id for p in pushes] == ["console:alice", "console:wang"]
    english, chinese = (reply_from_json(p.reply) for p in pushes)
    assert "7 days since Portal was delivered" in english.text
    assert "交付已经7天了" in chinese.text
    assert [b.payload for b in english.buttons][1:] == ["ticket:new", "human:request"]
    # Running the same job again (at-least-once delivery) queues nothing new.
    [job] = await seeded.scheduler.jobs(state=JobState.DONE)
    payload = {"project_id": await _project_id(seeded), "days": 7}
    await seeded.scheduler.schedule(job.kind, payload, clock.now(), key=job.key, replace=True)
    assert await seeded.scheduler.run_due() == 1
    assert len(await _pushes(seeded, "followup_checkin")) == 2
    # "All good" gets a thank-you.
    replies = await seeded.engine.handle(
        console_message(clock, "All good", payload=english.buttons[0].payload)
    )
    assert "Glad to hear it" in replies[0].text


async def test_changing_the_delivery_date_moves_pending_follow_ups_without_duplicates(
    seeded: App, clock: FakeClock
) -> None:
    pid = await _project_id(seeded)
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    await seeded.scheduler.run_due()  # the 7-day check-in is sent
    await seeded.directory.update_project(
        "ACME", "Portal", ProjectChange(delivered_on=date(2026, 3, 4))
    )
    pending = await _pending(seeded)
    assert pending[f"project:{pid}:checkin:30"] == datetime(2026, 4, 3, 8, 0, tzinfo=UTC)
    assert f"project:{pid}:checkin:7" not in pending  # sent already: not sent again
    assert len(await seeded.scheduler.jobs(kind="followup.checkin")) == 3
    # Acceptance re-anchors the schedule and changes the wording.
    await seeded.directory.update_project(
        "ACME", "Portal", ProjectChange(accepted_on=date(2026, 3, 20))
    )
    pending = await _pending(seeded)
    assert pending[f"project:{pid}:checkin:30"] == datetime(2026, 4, 19, 8, 0, tzinfo=UTC)
    clock.set(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))
    await seeded.scheduler.run_due()
    [latest, _] = (await _pushes(seeded, "followup_checkin"))[-2:]
    assert "30 days since Portal was accepted" in reply_from_json(latest.reply).text


async def test_after_a_long_stop_only_the_latest_check_in_is_sent(
    seeded: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 6, 10, 12, 0, tzinfo=UTC))  # 100 days later, nothing ran
    await seeded.scheduler.run_due()
    done = await seeded.scheduler.jobs(kind="followup.checkin", state=JobState.DONE)
    assert len(done) == 3  # each due job runs once
    texts = [reply_from_json(p.reply).text for p in await _pushes(seeded, "followup_checkin")]
    assert len(texts) == 2 and all("90" in t for t in texts)


async def test_quiet_hours_hold_a_message_until_the_contacts_morning(
    seeded: App, clock: FakeClock
) -> None:
    await seeded.directory.add_contact(
        "ACME", "lee", "Lee", lang="en", timezone="America/Los_Angeles"
    )
    await seeded.directory.link("ACME", "lee", "console", "lee")
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # 01:00 in Los Angeles
    await seeded.scheduler.run_due()
    by_chat = {p.chat_id: p.available_at for p in await _pushes(seeded, "followup_checkin")}
    assert by_chat["console:alice"] == clock.now()
    assert by_chat["console:lee"] == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # 09:00 PDT


async def test_warranty_notices_count_down_and_a_stale_one_is_skipped(
    seeded: App, clock: FakeClock
) -> None:
    clock.set(datetime(2027, 1, 31, 9, 0, tzinfo=UTC))
    await seeded.scheduler.run_due()
    [first, _] = await _pushes(seeded, "followup_warranty")
    assert "ends on 2027-03-02 (30 days from now)" in reply_from_json(first.reply).text
    clock.set(datetime(2027, 2, 28, 9, 0, tzinfo=UTC))  # the 7-day notice is 5 days late
    await seeded.scheduler.run_due()
    texts = [reply_from_json(p.reply).text for p in await _pushes(seeded, "followup_warranty")]
    assert len(texts) == 4 and "(2 days from now)" in texts[-2]


async def test_a_project_policy_override_replaces_the_default_days(seeded: App) -> None:
    pid = await _project_id(seeded)
    policy = await seeded.followups.set_policy("ACME", "Portal", (14,), ())
    assert policy.checkin_days == (14,) and policy.warranty_notice_days == ()
    assert set(await _pending(seeded)) == {f"project:{pid}:checkin:14"}
    cancelled = await seeded.scheduler.jobs(state=JobState.CANCELLED, limit=100)
    assert len(cancelled) == 5


async def test_a_ticket_waiting_on_the_client_gets_one_reminder_then_closes(
    seeded: App, clock: FakeClock
) -> None:
    await seeded.engine.handle(console_message(clock, "hello"))
    async with seeded.db.session() as session:
        conversation_id = await session.scalar(select(Conversation.id))
    ticket = await seeded.tickets.open(
        project_id=await _project_id(seeded),
        title="Export fails",
        description="500 on export",
        severity="P3",
        conversation_id=conversation_id,
    )
    await seeded.tickets.set_status(ticket.ref, "waiting_on_client", "bob", "Which browser?")
    await seeded.scheduler.ensure_recurring()
    clock.advance(timedelta(days=3))
    await seeded.scheduler.run_due()
    clock.advance(timedelta(minutes=15))
    await seeded.scheduler.run_due()  # the next sweep does not remind again
    reminders = [
        reply_from_json(p.reply).text
        for p in await _pushes(seeded, "ticket_update")
        if "Reminder" in reply_from_json(p.reply).text
    ]
    assert len(reminders) == 1
    assert "without a reply it will be closed on 2026-03-09 10:00" in reminders[0]
    clock.advance(timedelta(days=4))
    await seeded.scheduler.run_due()
    view = await seeded.tickets.get(ticket.ref)
    assert view.status == "closed"
    last = reply_from_json((await _pushes(seeded, "ticket_update"))[-1].reply).text
    assert "no reply for 7 days" in last
