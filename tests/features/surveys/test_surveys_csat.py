"""CSAT on a fake clock, on every database: sent N hours after resolve, sampled, cooled down,
reminded once, one vote, the comment kept, and a low score handed to staff."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.messages import reply_from_json
from bot.core.quiet import waking_time
from bot.core.settings import Settings
from bot.features.surveys.models import SurveyFollowUp
from bot.features.surveys.service import sampled
from tests.support.fakes import FakeKnowledgeBase
from tests.support.helpers import console_message
from tests.support.surveys import chat_as, open_ticket, outbox, resolved_ticket, surveys

STAFF = "CSTAFF"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        database_url=database_url,
        slack_staff_channel=STAFF,
        survey_csat_delay_hours=4,
        survey_cooldown_days=14,
    )


async def test_csat_goes_out_n_hours_after_resolve_once(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    ref = await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=3, minutes=59))
    await seeded.scheduler.run_due()
    assert await surveys(seeded) == []
    clock.advance(timedelta(minutes=1))
    await seeded.scheduler.run_due()
    await seeded.scheduler.run_due()  # a second worker pass changes nothing
    [survey] = await surveys(seeded)
    assert (survey.kind, survey.state, survey.lang) == ("csat", "sent", "en")
    [item] = await outbox(seeded, "csat:")
    reply = reply_from_json(item.reply)
    assert reply.kind == "survey_question" and reply.meta["one_vote"] == "true"
    assert [b.label for b in reply.buttons] == ["1", "2", "3", "4", "5"]
    assert reply.buttons[3].payload == f"survey:v:{survey.id}:4"
    assert ref in reply.text and "CSV export fails" in reply.text
    assert item.available_at == waking_time(clock.now(), "Europe/Berlin")
    pushed = await alice.say("/help")  # what waited for alice comes before the answer
    assert [r.kind for r in pushed] == ["ticket_update", "survey_question", "help"]


async def test_quiet_hours_hold_the_question_until_morning(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    clock.advance(timedelta(hours=12))  # 21:00 UTC = 22:00 in Berlin; +4 h is 02:00 there
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    [item] = await outbox(seeded, "csat:")
    assert item.available_at > clock.now()
    assert item.available_at == waking_time(clock.now(), "Europe/Berlin")
    assert not [r for r in await alice.say("/help") if r.kind == "survey_question"]
    clock.set(item.available_at)
    assert [r for r in await alice.say("/help") if r.kind == "survey_question"]


async def test_reopened_before_the_survey_waits_for_the_next_resolve(
    seeded: App, clock: FakeClock
) -> None:
    alice = await chat_as(seeded, "alice")
    ref = await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=1))
    await seeded.tickets.reopen(ref, "alice", None, "still broken")
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    assert await surveys(seeded) == []
    await seeded.tickets.resolve(ref, "bob")
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    assert [s.state for s in await surveys(seeded)] == ["sent"]


async def test_cooldown_skips_a_contact_surveyed_lately(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    wang = await chat_as(seeded, "wang")
    await resolved_ticket(seeded, alice, "Export fails")
    clock.advance(timedelta(days=1))
    await seeded.scheduler.run_due()
    await resolved_ticket(seeded, alice, "Login is slow")
    await resolved_ticket(seeded, wang, "Printing broken")  # another contact: not cooled down
    clock.advance(timedelta(days=1))
    await seeded.scheduler.run_due()
    clock.advance(timedelta(days=13))  # 15 days after the first survey
    await resolved_ticket(seeded, alice, "Reports are empty")
    clock.advance(timedelta(days=1))
    await seeded.scheduler.run_due()
    found = [(s.contact_id, s.state, s.skip_reason) for s in await surveys(seeded)]
    alice_id, wang_id = found[0][0], found[2][0]
    assert alice_id != wang_id
    assert found == [
        (alice_id, "sent", None),
        (alice_id, "skipped", "cooldown"),
        (wang_id, "sent", None),
        (alice_id, "sent", None),
    ]
    asked = [i for i in await outbox(seeded, "csat:") if (i.idempotency_key or "").endswith(":ask")]
    assert len(asked) == 3


def test_sampling_is_deterministic_and_near_the_rate() -> None:
    keys = [f"csat:ticket:{n}" for n in range(2000)]
    assert all(sampled(k, 1.0) for k in keys)
    assert not any(sampled(k, 0.0) for k in keys)
    share = sum(sampled(k, 0.3) for k in keys) / len(keys)
    assert 0.26 < share < 0.34
    assert [sampled(k, 0.3) for k in keys] == [sampled(k, 0.3) for k in keys]


async def test_sampling_skips_some_tickets_and_zero_turns_csat_off(
    settings: Settings, clock: FakeClock, kb: FakeKnowledgeBase, seeded: App
) -> None:
    alice = await chat_as(seeded, "alice")
    configured = settings.model_copy(update={"survey_csat_sample_rate": 0.5})
    half = await build_app(configured, clock=clock, kb=kb)
    off = await build_app(
        settings.model_copy(update={"survey_csat_sample_rate": 0.0}), clock=clock, kb=kb
    )
    try:
        refs = []
        for n in range(8):
            refs.append(await open_ticket(alice, f"Problem number {n}"))
            await half.tickets.resolve(refs[-1], "bob")
            clock.advance(timedelta(days=15))  # past the cooldown each time
            await half.scheduler.run_due()
        states = [s.state for s in await surveys(half)]
        ids = [s.ticket_id for s in await surveys(half)]
        expected = ["sent" if sampled(f"csat:ticket:{i}", 0.5) else "skipped" for i in ids]
        assert states == expected and "sent" in states and "skipped" in states
        assert {s.skip_reason for s in await surveys(half) if s.state == "skipped"} == {
            "sampled_out"
        }
        ref = await open_ticket(alice, "Yet another problem")
        await off.tickets.resolve(ref, "bob")
        clock.advance(timedelta(days=15))
        assert len(await off.scheduler.jobs(kind="survey.csat")) == 8  # none for the last one
        await off.scheduler.run_due()
        assert len([s for s in await surveys(off) if s.kind == "csat"]) == 8
    finally:
        await half.close()
        await off.close()


async def test_one_reminder_after_24_hours(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    clock.advance(timedelta(hours=23))
    await seeded.scheduler.run_due()
    assert [i.idempotency_key for i in await outbox(seeded, "csat:")][-1].endswith(":ask")
    clock.advance(timedelta(hours=1))
    await seeded.scheduler.run_due()
    clock.advance(timedelta(days=3))
    await seeded.scheduler.run_due()
    keys = [i.idempotency_key or "" for i in await outbox(seeded, "csat:")]
    assert [k.rsplit(":", 1)[1] for k in keys] == ["ask", "remind"]
    [survey] = await surveys(seeded)
    assert survey.reminded_at is not None
    reminder = reply_from_json((await outbox(seeded, "csat:"))[1].reply)
    assert "reminder" in reminder.text and len(reminder.buttons) == 5


async def test_an_answered_survey_gets_no_reminder(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    await alice.say("/help")
    await alice.say("5")
    clock.advance(timedelta(days=2))
    await seeded.scheduler.run_due()
    assert [(i.idempotency_key or "").rsplit(":", 1)[1] for i in await outbox(seeded, "csat:")] == [
        "ask"
    ]


async def test_queued_survey_messages_are_withdrawn_when_the_client_answers(
    seeded: App, clock: FakeClock
) -> None:
    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    clock.advance(timedelta(hours=24))
    await seeded.scheduler.run_due()  # the reminder is queued; nothing was delivered yet
    [survey] = await surveys(seeded)
    vote = await seeded.surveys.vote(survey.id, 5, survey.client_id)  # e.g. a click elsewhere
    assert vote.accepted
    states = {
        (i.idempotency_key or "").rsplit(":", 1)[1]: i.state for i in await outbox(seeded, "csat:")
    }
    assert states == {"ask": "withdrawn", "remind": "withdrawn"}
    shown = [r.kind for r in await alice.say("/help")]
    assert shown == ["ticket_update", "help"]  # the resolve notice, no moot survey messages
    assert not await seeded.outbox.withdraw(f"{survey.key}:remind")  # nothing left to take


async def test_vote_then_comment_is_stored_with_the_ticket(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    ref = await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    await alice.say("/help")
    thanks = await alice.say("4")
    assert thanks[0].kind == "survey_thanks" and "(4)" in thanks[0].text
    assert "Anything you'd like to add" in thanks[0].text
    assert "reach out" not in thanks[0].text
    saved = await alice.say("Quick and friendly, thanks")
    assert saved[0].kind == "survey_comment"
    after = await alice.say("How do I export?")  # the comment step is over: back to normal
    assert after[0].kind != "survey_comment"
    [survey] = await surveys(seeded)
    assert (survey.score, survey.comment, survey.state) == (
        4,
        "Quick and friendly, thanks",
        "answered",
    )
    view = await seeded.tickets.get(ref)
    events = [(e.kind, e.text) for e in view.events if e.kind.startswith("csat")]
    assert events == [("csat", "4/5"), ("csat_comment", "Quick and friendly, thanks")]
    assert await outbox(seeded, f"{survey.key}:staff") == []  # a good score bothers nobody


async def test_skip_ends_the_comment_step(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    await alice.say("/help")
    await alice.say("5")
    skipped = await alice.say("1")  # the Skip button
    assert skipped[0].kind == "survey_done"
    [survey] = await surveys(seeded)
    assert survey.comment is None and survey.score == 5


async def test_second_vote_changes_nothing(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    ref = await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    [survey] = await surveys(seeded)
    # Two clicks on the same survey (say the question and its reminder, or two devices).
    first = await seeded.engine.handle(
        console_message(clock, "4", payload=f"survey:v:{survey.id}:4", message_id="click-1")
    )
    second = await seeded.engine.handle(
        console_message(clock, "1", payload=f"survey:v:{survey.id}:1", message_id="click-2")
    )
    assert first[0].kind == "survey_thanks"
    assert second[0].kind == "survey_already_answered" and "(4)" in second[0].text
    [after] = await surveys(seeded)
    assert after.score == 4
    view = await seeded.tickets.get(ref)
    assert [e.text for e in view.events if e.kind == "csat"] == ["4/5"]
    async with seeded.db.session() as session:
        assert list(await session.scalars(select(SurveyFollowUp))) == []


async def test_another_clients_survey_cannot_be_voted(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    [survey] = await surveys(seeded)
    await seeded.directory.add_client("Beta Ltd", "BETA")
    await seeded.directory.add_contact("BETA", "bob", "Bob", lang="en")
    await seeded.directory.link("BETA", "bob", "console", "bob")
    replies = await seeded.engine.handle(
        console_message(clock, "1", user="bob", payload=f"survey:v:{survey.id}:1")
    )
    assert replies[0].kind == "survey_unknown"
    assert (await surveys(seeded))[0].score is None


async def test_low_score_opens_a_task_tells_staff_and_the_client(
    seeded: App, clock: FakeClock
) -> None:
    escalated: list[tuple[int, str]] = []

    async def escalate(conversation_id: int, reason: str) -> None:
        escalated.append((conversation_id, reason))

    seeded.surveys.escalate = escalate
    alice = await chat_as(seeded, "alice")
    ref = await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    await alice.say("/help")
    voted = await alice.say("2")
    assert "Someone from the team will reach out" in voted[0].text
    await alice.say("It took a week and nobody told me anything")
    [survey] = await surveys(seeded)
    staff, comment = [i for i in await outbox(seeded, survey.key) if i.chat_id == STAFF]
    staff_reply, comment_reply = reply_from_json(staff.reply), reply_from_json(comment.reply)
    assert (
        staff_reply.meta["thread_key"] == comment_reply.meta["thread_key"] == f"survey:{survey.id}"
    )
    assert f"CSAT 2/5 on {ref}" in staff_reply.text and "Alice Martin" in staff_reply.text
    assert "nobody told me" in comment_reply.text
    [(conversation_id, reason)] = escalated
    assert conversation_id == survey.conversation_id and f"CSAT 2/5 on {ref}" in reason
    [task] = await seeded.surveys.followups()
    assert (task.kind, task.score, task.ticket, task.state) == ("csat", 2, ref, "open")
    assert task.comment == "It took a week and nobody told me anything"
    done = await seeded.surveys.close_followup(task.id, "carol", "called her")
    assert (done.state, done.done_by) == ("done", "carol")
    assert await seeded.surveys.followups() == []


async def test_a_failing_handoff_hook_does_not_lose_the_vote(seeded: App, clock: FakeClock) -> None:
    async def broken(conversation_id: int, reason: str) -> None:
        raise RuntimeError("handoff down")

    seeded.surveys.escalate = broken
    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(timedelta(hours=4))
    await seeded.scheduler.run_due()
    await alice.say("/help")
    assert "reach out" in (await alice.say("1"))[0].text
    assert len(await seeded.surveys.followups()) == 1
