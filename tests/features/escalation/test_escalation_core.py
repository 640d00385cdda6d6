"""Escalation core: the state machine, the answer-by promise, the triggers and the event log, with a
fake clock, on every database (the console adapter plays the client)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.console.chat import ConsoleSession
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import ConflictError
from bot.core.messages import Reply
from bot.core.protocols import Tier
from bot.core.settings import Settings
from bot.features.escalation.desk import conversation_of, thread_key
from bot.features.escalation.models import EscalationEvent
from bot.features.escalation.phrases import asks_for_person
from bot.features.escalation.promise import promise
from bot.features.escalation.relay import Relayed
from bot.features.escalation.reminders import REMIND_JOB
from bot.features.escalation.service import EscalationService
from bot.features.escalation.state import Action, EscalationState, next_state
from bot.features.tickets.policies import load_policies
from bot.storage.models import Conversation, OutboxItem
from tests.support.fakes import FakeKnowledgeBase, hit

S = EscalationState


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.slack_staff_channel = "CSTAFF"
    settings.kb_dir = tmp_path / "kb"
    return settings


# --- the state machine, no database -------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (S.BOT, Action.ESCALATE, S.WAITING),
        (S.CLOSED, Action.ESCALATE, S.WAITING),
        (S.WAITING, Action.TAKE, S.HUMAN),
        (S.HUMAN, Action.TAKE, S.HUMAN),
        (S.BOT, Action.TAKE, S.HUMAN),
        (S.HUMAN, Action.HAND_BACK, S.BOT),
        (S.WAITING, Action.HAND_BACK, S.BOT),
        (S.HUMAN, Action.CLOSE, S.CLOSED),
        (S.CLOSED, Action.REOPEN, S.BOT),
    ],
)
def test_allowed_transitions(
    state: EscalationState, action: Action, expected: EscalationState
) -> None:
    assert next_state(state, action) is expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.WAITING, Action.ESCALATE),
        (S.HUMAN, Action.ESCALATE),
        (S.BOT, Action.HAND_BACK),
        (S.CLOSED, Action.HAND_BACK),
        (S.CLOSED, Action.CLOSE),
        (S.BOT, Action.REOPEN),
    ],
)
def test_forbidden_transitions(state: EscalationState, action: Action) -> None:
    with pytest.raises(ConflictError, match=str(state)):
        next_state(state, action)


def test_thread_keys_round_trip() -> None:
    assert conversation_of(thread_key(42)) == 42
    assert conversation_of("ticket:ACME-4") is None
    assert conversation_of("conv:x") is None


@pytest.mark.parametrize(
    "text",
    [
        "can I talk to a human",
        "Can I speak with a real person please?",
        "I want to talk to someone",
        "connect me to an agent",
        "human please",
        "转人工",
        "我要人工客服",
        "人工",
    ],
)
def test_asking_for_a_person(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize(
    "text", ["How do I reset my password?", "human resources module", "人工智能模块怎么用？", ""]
)
def test_not_asking_for_a_person(text: str) -> None:
    assert not asks_for_person(text)


def test_promise_in_and_out_of_business_hours() -> None:
    policies = load_policies()
    # Monday 10:00 Berlin: gold P2 answers within 1 working hour.
    inside = promise(policies, "gold", "Europe/Berlin", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert inside.opens_at is None
    assert inside.answer_by == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    # Saturday: the team is back Monday 09:00 Berlin (08:00 UTC), answer by 10:00 Berlin.
    weekend = promise(policies, "gold", "Europe/Berlin", datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    assert weekend.opens_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert weekend.answer_by == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    # A P1 runs around the clock: no closing time.
    p1 = promise(policies, "gold", "Europe/Berlin", datetime(2026, 3, 7, 12, 0, tzinfo=UTC), "P1")
    assert p1.opens_at is None
    assert p1.answer_by == datetime(2026, 3, 7, 12, 30, tzinfo=UTC)


# --- the service, on every database --------------------------------------------------------


class FakeScheduler:
    """Records jobs as bot.core.scheduler.Scheduler would keep them: one pending job per key."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[str, dict[str, Any], datetime]] = {}
        self.cancelled: list[str] = []

    async def schedule(
        self,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        *,
        key: str | None = None,
        replace: bool = False,
    ) -> bool:
        assert key is not None
        if key in self.jobs and not replace:
            return False
        self.jobs[key] = (kind, payload, due_at)
        return True

    async def cancel_prefix(self, prefix: str) -> int:
        gone = [k for k in self.jobs if k.startswith(prefix)]
        for k in gone:
            del self.jobs[k]
        self.cancelled.extend(gone)
        return len(gone)

    def due(self, now: datetime) -> list[tuple[str, dict[str, Any]]]:
        ready = [(k, v) for k, v in self.jobs.items() if v[2] <= now]
        for k, _ in ready:
            del self.jobs[k]
        return [(v[0], v[1]) for _, v in ready]


class _Job:
    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload


async def _alice(app: App) -> ConsoleSession:
    session = ConsoleSession(app, "alice")
    await session.start()
    return session


async def _conversation_id(app: App) -> int:
    async with app.db.session() as session:
        found = await session.scalar(select(Conversation.id).order_by(Conversation.id))
    assert found is not None
    return found


async def _staff_posts(app: App) -> list[dict[str, Any]]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(OutboxItem).where(OutboxItem.chat_id == "CSTAFF").order_by(OutboxItem.id)
        )
        return [dict(r.reply) for r in rows]


async def _events(app: App, conversation_id: int) -> list[tuple[str, str, str, str]]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(EscalationEvent)
            .where(EscalationEvent.conversation_id == conversation_id)
            .order_by(EscalationEvent.id)
        )
        return [(e.kind, e.from_state, e.to_state, e.actor) for e in rows]


async def test_human_command_escalates_and_relays_until_handed_back(
    seeded: App, clock: FakeClock, kb: FakeKnowledgeBase
) -> None:
    alice = await _alice(seeded)
    await alice.say("The export page is slow")  # history for the staff thread
    told = await alice.say("/human")
    assert told[0].kind == "handoff_escalated"
    # Monday 10:00 Berlin, gold: a person answers by 11:00 Berlin.
    assert "2026-03-02 11:00 (Europe/Berlin)" in told[0].text
    conversation = await _conversation_id(seeded)
    [thread] = await _staff_posts(seeded)
    assert thread["meta"] == {"thread_key": f"conv:{conversation}"}
    for needle in ("Alice Martin (Acme Corp, ACME)", "gold SLA", "Open tickets: none", "slow"):
        assert needle in thread["text"]
    assert [b["payload"] for b in thread["buttons"]] == [
        f"handoff:take:{conversation}",
        f"handoff:back:{conversation}",
        f"handoff:ticket:{conversation}",
    ]

    # While waiting, the bot only acknowledges; the message goes to the staff thread.
    waiting = await alice.say("Are you there?")
    assert [r.kind for r in waiting] == ["handoff_relayed"]
    assert (await _staff_posts(seeded))[-1]["text"] == "Alice Martin: Are you there?"
    assert kb.questions == [("The export page is slow", "en")]

    clock.advance(timedelta(minutes=3))
    await seeded.escalation.take(conversation, "Sam")
    pushed = await alice.say("Hello Sam")  # the "Sam has joined" push arrives with this turn
    assert [r.kind for r in pushed] == [
        "handoff_taken"
    ] and "Sam from the team has joined" in pushed[0].text
    assert (await _staff_posts(seeded))[-1]["text"] == "Alice Martin: Hello Sam"

    relayed = await seeded.escalation.relay.staff_reply(
        conversation, "Try the CSV export instead.", "Sam", key="slack:CSTAFF:1.2"
    )
    assert relayed is Relayed.SENT
    again = await seeded.escalation.relay.staff_reply(
        conversation, "Try the CSV export instead.", "Sam", key="slack:CSTAFF:1.2"
    )
    assert again is Relayed.DUPLICATE
    quiet = await alice.say("/ticket")  # the bot stays quiet, even for commands
    assert [r.kind for r in quiet] == ["handoff_reply"]
    assert quiet[0].text == "Try the CSV export instead.\n— Sam (support team)"

    await seeded.escalation.hand_back(conversation, "Sam")
    back = await alice.say("/help")  # the note waiting for the client comes first
    assert [r.kind for r in back] == ["handoff_back", "help"]
    assert "Sam has handed you back" in back[0].text
    assert await _events(seeded, conversation) == [
        ("escalated", "bot", "waiting_for_human", "Alice Martin"),
        ("taken", "waiting_for_human", "human", "Sam"),
        ("handed_back", "human", "bot", "Sam"),
    ]


async def test_client_goes_back_to_the_bot_with_slash_bot_in_chinese(seeded: App) -> None:
    wang = ConsoleSession(seeded, "wang")
    await wang.start()
    told = await wang.say("转人工")
    assert told[0].kind == "handoff_escalated" and "人工" in told[0].text
    assert (await wang.say("转人工"))[0].text.startswith("已经为您转接人工")
    back = await wang.say("/bot")
    assert back[0].kind == "handoff_back" and "已回到机器人" in back[0].text
    assert (await wang.say("/bot"))[0].text.startswith("您正在与机器人对话")
    staff = await _staff_posts(seeded)
    assert staff[-1]["text"] == "王伟 went back to the bot; nothing more is relayed."


async def test_two_unknown_answers_in_a_row_escalate(seeded: App, kb: FakeKnowledgeBase) -> None:
    kb.add("hours", Tier.CONFIDENT, hit("hours", "Support hours", "9 to 18, Monday to Friday."))
    alice = await _alice(seeded)
    first = await alice.say("what is the weather on mars")
    assert [r.kind for r in first] == ["faq_abstain"]
    await alice.say("what are your hours")  # a confident answer resets the count
    second = await alice.say("what is the weather on venus")
    assert [r.kind for r in second] == ["faq_abstain"]
    third = await alice.say("and on jupiter")
    assert [r.kind for r in third] == ["faq_abstain", "handoff_escalated"]
    assert all(not b.payload.startswith("human:") for b in third[0].buttons)
    view = await seeded.escalation.states.view(await _conversation_id(seeded))
    assert view.state is S.WAITING and view.reason == "2 answers in a row the bot did not know"


async def test_talk_to_a_person_button_escalates(seeded: App) -> None:
    alice = await _alice(seeded)
    dont_know = await alice.say("what is the weather on mars")
    labels = [b.label for b in dont_know[0].buttons]
    told = await alice.say(str(labels.index("Talk to a person") + 1))
    assert told[0].kind == "handoff_escalated"


async def test_new_p1_ticket_escalates_its_conversation(seeded: App) -> None:
    alice = await _alice(seeded)
    for line in ("/ticket", "Production is down", "Nobody can log in since 9:00"):
        await alice.say(line)
    created = await alice.say("1")  # P1
    assert [r.kind for r in created] == ["ticket_created", "handoff_escalated"]
    # P1 runs 24x7 on gold: 30 minutes.
    assert "2026-03-02 10:30 (Europe/Berlin)" in created[1].text
    thread = (await _staff_posts(seeded))[-1]
    assert "new P1 ticket ACME-1" in thread["text"]
    assert "ACME-1 [P1] new - Production is down" in thread["text"]


async def test_survey_api_escalates_and_tells_the_client_out_of_hours(
    seeded: App, clock: FakeClock
) -> None:
    alice = await _alice(seeded)
    await alice.say("/help")
    conversation = await _conversation_id(seeded)
    clock.set(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))  # a Saturday
    escalation = await seeded.escalation.escalate(conversation, "survey score 1/5")
    assert escalation.started
    again = await seeded.escalation.escalate(conversation, "survey score 1/5")
    assert not again.started
    pushed = await alice.say("/help")
    [told] = [r for r in pushed if r.kind == "handoff_escalated"]
    assert pushed[0] is told  # told before the bot relays what the client just wrote
    assert "back at 2026-03-09 09:00 (Europe/Berlin)" in told.text
    assert "by 2026-03-09 10:00" in told.text


async def test_staff_reply_to_a_conversation_back_with_the_bot_is_not_sent(seeded: App) -> None:
    alice = await _alice(seeded)
    await alice.say("/human")
    conversation = await _conversation_id(seeded)
    await alice.say("/bot")
    result = await seeded.escalation.relay.staff_reply(conversation, "late answer", "Sam", key="k1")
    assert result is Relayed.NOT_SENT
    assert (await _staff_posts(seeded))[-1]["text"].startswith("Not sent")
    assert [r.kind for r in await alice.say("/help")] == ["help"]


async def test_replying_takes_a_waiting_conversation_and_staff_can_open_a_ticket(
    seeded: App,
) -> None:
    alice = await _alice(seeded)
    await alice.say("How do I move the portal to a new domain")
    await alice.say("/human")
    conversation = await _conversation_id(seeded)
    await seeded.escalation.relay.staff_reply(conversation, "Let me check.", "Sam", key="k1")
    view = await seeded.escalation.states.view(conversation)
    assert view.state is S.HUMAN and view.taken_by == "Sam"
    ticket = await seeded.escalation.open_ticket(conversation, "Sam")
    assert ticket.title == "How do I move the portal to a new domain"
    assert ticket.conversation_id == conversation and ticket.reporter == "alice"
    pushes = await alice.say("thanks")
    assert any(f"Sam opened ticket {ticket.ref}" in r.text for r in pushes)


async def test_close_then_a_new_message_starts_with_the_bot(seeded: App) -> None:
    alice = await _alice(seeded)
    await alice.say("/human")
    conversation = await _conversation_id(seeded)
    await seeded.escalation.take(conversation, "Sam")
    await seeded.escalation.close(conversation, "Sam")
    replies = await alice.say("/help")
    assert [r.kind for r in replies][-1] == "help"  # after the notes of the take and close
    assert [e[0] for e in await _events(seeded, conversation)] == [
        "escalated",
        "taken",
        "closed",
        "reopened",
    ]


async def test_reminder_fires_when_nobody_takes_it(
    seeded: App, clock: FakeClock, settings: Settings
) -> None:
    scheduler = FakeScheduler()
    handoff = EscalationService(
        seeded.db,
        clock,
        seeded.outbox,
        seeded.tickets,
        seeded.tickets.policies,
        "CSTAFF",
        kb_dir=settings.kb_dir,
        remind_after=timedelta(minutes=15),
        scheduler=scheduler,
    )
    alice = await _alice(seeded)
    await alice.say("/help")
    conversation = await _conversation_id(seeded)
    await handoff.escalate(conversation, "asked for a person")
    assert [j[0] for j in scheduler.jobs.values()] == [REMIND_JOB]

    clock.advance(timedelta(minutes=14))
    assert scheduler.due(clock.now()) == []
    clock.advance(timedelta(minutes=1))
    [(_kind, payload)] = scheduler.due(clock.now())
    await handoff.reminders.remind(_Job(payload))
    await handoff.reminders.remind(_Job(payload))  # at-least-once delivery: still one reminder
    reminders = [p for p in await _staff_posts(seeded) if p["text"].startswith("Reminder")]
    assert len(reminders) == 1
    assert "Alice Martin has waited 15 min" in reminders[0]["text"]
    assert reminders[0]["buttons"][0]["payload"] == f"handoff:take:{conversation}"
    assert "reminded" in [e[0] for e in await _events(seeded, conversation)]

    await handoff.take(conversation, "Sam")  # taking it cancels the next reminder
    assert scheduler.jobs == {}
    assert scheduler.cancelled == [f"handoff:remind:{conversation}:1:2"]


async def test_save_as_faq_writes_a_draft_the_indexer_ignores(
    seeded: App, settings: Settings
) -> None:
    from bot.knowledge.index_files import kb_files
    from indexer.content import parse_article

    alice = await _alice(seeded)
    await alice.say("Can we get the invoices as PDF?")
    await alice.say("/human")
    conversation = await _conversation_id(seeded)
    await seeded.escalation.relay.staff_reply(
        conversation, "Yes: Billing > Export > PDF.", "Sam", key="slack:C:1"
    )
    posts = await _staff_posts(seeded)
    [save] = [b for p in posts for b in p["buttons"] if b["label"] == "Save as FAQ"]
    draft = await seeded.escalation.relay.save_faq(int(save["payload"].rsplit(":", 1)[1]), "Sam")
    assert draft.path.parent == settings.kb_dir / "drafts"
    article = parse_article(draft.path.read_text(encoding="utf-8"), str(draft.path))
    assert article.questions == ("Can we get the invoices as PDF?",)
    assert article.sections[0].text == "Yes: Billing > Export > PDF."
    assert article.lang == "en"
    assert kb_files(settings.kb_dir) == []


async def test_without_a_staff_channel_human_is_not_configured(
    seeded: App, settings: Settings
) -> None:
    settings.slack_staff_channel = None
    from bot.app import build_app

    plain = await build_app(settings, clock=FakeClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    try:
        alice = ConsoleSession(plain, "alice")
        await alice.start()
        replies: list[Reply] = await alice.say("/human")
        assert replies[0].kind == "not_configured"
    finally:
        await plain.close()


async def test_concurrent_deliveries_of_one_staff_reply_relay_it_once(seeded: App) -> None:
    alice = await _alice(seeded)
    await alice.say("/human")
    conversation = await _conversation_id(seeded)
    results = await asyncio.gather(
        *(
            seeded.escalation.relay.staff_reply(
                conversation, "On it.", "Sam", key="slack:CSTAFF:9.9"
            )
            for _ in range(3)
        )
    )
    assert sorted(results) == [Relayed.DUPLICATE, Relayed.DUPLICATE, Relayed.SENT]
    await seeded.escalation.take(conversation, "Sam")  # a repeated click changes nothing
    pushed = await alice.say("thanks")
    assert [r.text for r in pushed] == ["On it.\n— Sam (support team)"]
    assert [e[0] for e in await _events(seeded, conversation)] == ["escalated", "taken"]


async def test_reminder_through_the_real_scheduler(seeded: App, clock: FakeClock) -> None:
    alice = await _alice(seeded)
    await alice.say("/human")
    conversation = await _conversation_id(seeded)
    clock.advance(timedelta(minutes=14))
    await seeded.scheduler.run_due()
    assert not [p for p in await _staff_posts(seeded) if p["text"].startswith("Reminder")]
    clock.advance(timedelta(minutes=1))
    await seeded.scheduler.run_due()
    reminders = [p for p in await _staff_posts(seeded) if p["text"].startswith("Reminder")]
    assert [r["text"] for r in reminders] == [
        "Reminder: Alice Martin has waited 15 min for a person and nobody took it yet."
    ]
    await seeded.escalation.take(conversation, "Sam")
    clock.advance(timedelta(hours=2))
    await seeded.scheduler.run_due()
    assert len([p for p in await _staff_posts(seeded) if p["text"].startswith("Reminder")]) == 1


async def test_low_survey_score_escalates_and_the_comment_is_recorded_and_relayed(
    seeded: App, clock: FakeClock
) -> None:
    from tests.support.surveys import chat_as, resolved_ticket

    alice = await chat_as(seeded, "alice")
    await resolved_ticket(seeded, alice)
    clock.advance(seeded.surveys.policy.csat_delay)
    await seeded.scheduler.run_due()
    await alice.say("/help")
    voted = await alice.say("2")
    assert voted[0].kind.startswith("survey")
    conversation = await _conversation_id(seeded)
    view = await seeded.escalation.states.view(conversation)
    assert view.state is S.WAITING and view.reason is not None and "CSAT 2/5" in view.reason
    await alice.say("It took a week and nobody told me anything")
    [task] = await seeded.surveys.followups()
    assert task.comment == "It took a week and nobody told me anything"
    staff = [p["text"] for p in await _staff_posts(seeded)]
    assert "Alice Martin: It took a week and nobody told me anything" in staff
    # A survey vote while a person is asked is still a vote, not a message to relay.
    assert all(not t.startswith("Alice Martin: [clicked]") for t in staff)
