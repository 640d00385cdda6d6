"""NPS on a fake clock, on every database: 30 days after delivery, then every 90, one round
after a long stop (no pile-up), 0-10 in both languages, "why?", and low scores to staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.directory import ProjectChange
from bot.core.messages import reply_from_json
from bot.core.settings import Settings
from bot.features.surveys.models import Survey
from tests.conftest import START
from tests.support.fakes import FakeKnowledgeBase
from tests.support.surveys import chat_as, outbox, surveys

STAFF = "CSTAFF"
# seeded: Portal delivered 2026-03-02 in Europe/Berlin; +30 days at 10:00 CEST = 08:00 UTC.
FIRST_ROUND = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, database_url=database_url, slack_staff_channel=STAFF
    )


def _nps(found: list[Survey]) -> list[Survey]:
    return [s for s in found if s.kind == "nps"]


async def _rounds(app: App) -> list[str]:
    return sorted({s.key.split(":contact:")[0] for s in _nps(await surveys(app))})


async def _drain(app: App) -> None:
    while await app.scheduler.run_due():
        pass


async def test_first_round_30_days_after_delivery_then_every_90(
    seeded: App, clock: FakeClock
) -> None:
    alice, wang = await chat_as(seeded, "alice"), await chat_as(seeded, "wang")
    await alice.say("/help")
    await wang.say("/help")
    await seeded.directory.add_contact("ACME", "silent", "Never Chatted")  # no conversation
    clock.set(FIRST_ROUND - timedelta(minutes=1))
    await _drain(seeded)
    assert _nps(await surveys(seeded)) == []
    clock.set(FIRST_ROUND)
    await _drain(seeded)
    first = _nps(await surveys(seeded))
    assert [(s.lang, s.state) for s in first] == [("en", "sent"), ("zh", "sent")]
    asks = [reply_from_json(i.reply) for i in await outbox(seeded, "nps:")]
    assert [b.label for b in asks[0].buttons] == [str(n) for n in range(11)]
    assert "recommend" in asks[0].text and "Portal" in asks[0].text
    assert "推荐" in asks[1].text
    clock.advance(timedelta(days=89, hours=23))
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 1
    clock.advance(timedelta(hours=1))
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 2
    assert len(_nps(await surveys(seeded))) == 4


async def test_a_long_stop_sends_one_round_and_restarts_the_cadence(
    seeded: App, clock: FakeClock
) -> None:
    alice = await chat_as(seeded, "alice")
    await alice.say("/help")
    clock.set(FIRST_ROUND)
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 1
    clock.advance(timedelta(days=400))  # the worker was down for four missed rounds
    await _drain(seeded)
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 2  # one catch-up round, not four
    restarted = clock.now()
    clock.set(restarted + timedelta(days=90) - timedelta(minutes=1))
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 2
    clock.set(restarted + timedelta(days=90))
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 3


async def test_rounds_are_scheduled_once_per_project(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    await alice.say("/help")
    assert await seeded.surveys.schedule_all_nps() == 0  # the new project scheduled itself
    await seeded.directory.add_project("ACME", "Mobile", FIRST_ROUND.date(), 12, "gold", "UTC")
    assert await seeded.surveys.schedule_all_nps() == 0
    clock.set(FIRST_ROUND + timedelta(days=30, hours=10))
    await _drain(seeded)
    projects = {s.project_id for s in _nps(await surveys(seeded))}
    assert len(projects) == 2


async def test_scores_why_and_low_scores(seeded: App, clock: FakeClock) -> None:
    alice, wang = await chat_as(seeded, "alice"), await chat_as(seeded, "wang")
    await alice.say("/help")
    await wang.say("/help")
    clock.set(FIRST_ROUND)
    await _drain(seeded)
    await alice.say("/help")
    promoter = await alice.say("9")
    assert "main reason" in promoter[0].text and "reach out" not in promoter[0].text
    await alice.say("Great team")
    await wang.say("/help")
    detractor = await wang.say("0")  # labelled 0: the first button, not the "0th"
    assert "团队成员会尽快与您联系" in detractor[0].text and "主要原因" in detractor[0].text
    await wang.say("响应太慢")
    scored = [(s.score, s.comment) for s in _nps(await surveys(seeded))]
    assert scored == [(9, "Great team"), (0, "响应太慢")]
    [task] = await seeded.surveys.followups()
    assert (task.kind, task.score, task.contact, task.ticket) == ("nps", 0, "wang", None)
    staff = [reply_from_json(i.reply) for i in await outbox(seeded, "nps:") if i.chat_id == STAFF]
    assert "NPS 0/10" in staff[0].text and "响应太慢" in staff[1].text


async def test_nps_switched_off(
    settings: Settings, clock: FakeClock, kb: FakeKnowledgeBase
) -> None:
    app = await build_app(
        settings.model_copy(update={"survey_nps_enabled": False}), clock=clock, kb=kb
    )
    try:
        await app.directory.add_client("Acme Corp", "ACME")
        await app.directory.add_project("ACME", "Portal", START.date(), 12, "gold", "Europe/Berlin")
        await app.directory.add_contact("ACME", "alice", "Alice Martin", lang="en")
        await (await chat_as(app, "alice")).say("/help")
        assert await app.surveys.schedule_all_nps() == 0
        clock.set(FIRST_ROUND + timedelta(days=1))
        await _drain(app)
        assert await surveys(app) == []
    finally:
        await app.close()


async def test_a_contact_who_never_wrote_is_asked_on_their_linked_account(
    seeded: App, clock: FakeClock
) -> None:
    clock.set(FIRST_ROUND)
    await _drain(seeded)
    asks = [i for i in await outbox(seeded, "nps:") if (i.idempotency_key or "").endswith(":ask")]
    assert [(i.channel, i.chat_id, i.conversation_id) for i in asks] == [
        ("console", "console:alice", None),
        ("console", "console:wang", None),
    ]
    alice = await chat_as(seeded, "alice")
    assert [r.kind for r in await alice.say("/help")][-2:] == ["survey_question", "help"]
    assert (await alice.say("10"))[0].kind == "survey_thanks"
    assert [s.score for s in _nps(await surveys(seeded))] == [10, None]


async def test_a_new_delivery_date_moves_the_first_round_until_it_has_run(
    seeded: App, clock: FakeClock
) -> None:
    alice = await chat_as(seeded, "alice")
    await alice.say("/help")
    later = FIRST_ROUND.date() + timedelta(days=10)  # delivered 2026-04-11 instead
    await seeded.directory.update_project("ACME", "Portal", ProjectChange(delivered_on=later))
    clock.set(FIRST_ROUND + timedelta(days=1))
    await _drain(seeded)
    assert await _rounds(seeded) == []
    clock.set(datetime(2026, 5, 11, 8, 0, tzinfo=UTC))  # 30 days after the new date, 10:00 CEST
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 1
    # Once the first round has run, date changes no longer move anything: no second round 0.
    await seeded.directory.update_project(
        "ACME", "Portal", ProjectChange(delivered_on=later + timedelta(days=5))
    )
    clock.advance(timedelta(days=6))
    await _drain(seeded)
    assert len(await _rounds(seeded)) == 1
