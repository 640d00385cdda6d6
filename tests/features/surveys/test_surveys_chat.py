"""End to end in the console: a resolved ticket, a day later the CSAT question, a 2, a
comment, and the staff channel told, on every database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.chat import render
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import reply_from_json
from bot.core.settings import Settings
from tests.support.surveys import chat_as, open_ticket, outbox, surveys


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, database_url=database_url, slack_staff_channel="CSTAFF"
    )


async def test_resolve_wait_click_two_comment_staff_told(seeded: App, clock: FakeClock) -> None:
    alice = await chat_as(seeded, "alice")
    ref = await open_ticket(alice, "Invoices PDF is blank")
    await seeded.tickets.resolve(ref, "bob", "Fixed the template")

    async def say(line: str) -> list[str]:
        return [render(r) for r in await alice.say(line)]

    update = await say("/mytickets")  # the update waiting for alice comes first
    assert "resolved" in update[0]
    clock.advance(timedelta(hours=23))
    assert await seeded.scheduler.run_due() == 0
    clock.advance(timedelta(hours=1))
    assert await seeded.scheduler.run_due() == 1
    question = (await say("/help"))[0]
    assert f'Your ticket {ref} "Invoices PDF is blank" was resolved' in question
    assert question.endswith("[1] [2] [3] [4] [5]")
    voted = await say("2")
    assert voted[0] == (
        "Thank you for your rating (2).\n"
        "We're sorry we fell short. Someone from the team will reach out to you shortly.\n"
        "Anything you'd like to add? Type a comment, or press Skip.\n"
        "  [1] Skip"
    )
    # The low score escalated the conversation (handoff): the client hears when.
    assert voted[1:] == [
        "I've asked a person from the team to join. They'll answer here, by "
        "2026-03-03 11:00 (Europe/Berlin) at the latest. Your messages now go to them; "
        "type /bot to come back to me."
    ]
    assert await say("The fix took a week") == [
        "Thank you, your comment has been passed to the team."
    ]
    again = await say("3")  # no buttons on screen now: plain text, so the FAQ answers
    assert "already answered" not in again[0]

    [survey] = await surveys(seeded)
    assert (survey.score, survey.comment) == (2, "The fix took a week")
    staff = [reply_from_json(i.reply) for i in await outbox(seeded) if i.chat_id == "CSTAFF"]
    survey_staff = [r for r in staff if r.kind == "survey_staff"]
    assert [r.meta["thread_key"] for r in survey_staff] == [f"survey:{survey.id}"] * 2
    assert survey_staff[0].text.startswith(f"Low score, follow up: CSAT 2/5 on {ref} from Alice")
    assert survey_staff[1].text == "Comment from the client: The fix took a week"
    [task] = await seeded.surveys.followups()
    assert task.summary.startswith(f"CSAT 2/5 on {ref}")
    assert survey_staff[0].text.endswith(f"When done: aftercare survey done {task.id}")
    # The reminder was cancelled by the vote: nothing more reaches Alice.
    clock.advance(timedelta(days=2))
    await seeded.scheduler.run_due()
    assert [r for r in await alice.say("/help") if r.kind == "survey_question"] == []
