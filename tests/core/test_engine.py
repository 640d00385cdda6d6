"""The engine end to end on a real database: routing, the log, idempotency, failures."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import IncomingMessage
from bot.core.protocols import Tier
from bot.storage.models import Conversation, Message
from tests.support.fakes import FakeKnowledgeBase, hit
from tests.support.helpers import console_message


async def _messages(app: App) -> list[Message]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Message).order_by(Message.id)))


async def test_multi_turn_conversation_is_answered_and_logged(
    seeded: App, clock: FakeClock, kb: FakeKnowledgeBase
) -> None:
    kb.add(
        "warranty", Tier.CONFIDENT, hit("warranty", "Warranty", "Twelve months from acceptance.")
    )
    kb.add(
        "upgrade",
        Tier.UNSURE,
        hit("upgrade-window", "Upgrade windows", "Sundays 02:00."),
        hit("release-notes", "Release notes", "See the changelog."),
    )

    first = await seeded.engine.handle(console_message(clock, "/help"))
    assert "/ticket" in first[0].text
    second = await seeded.engine.handle(console_message(clock, "How long is the warranty?"))
    # alice's client has one project: the answer about the warranty ends with its own date.
    assert second[0].text == (
        "Twelve months from acceptance.\n\nYour project Portal: Warranty until 2027-03-02: "
        "365 days left."
    )
    assert second[0].citations[0].title == "Warranty"
    third = await seeded.engine.handle(console_message(clock, "when do upgrades happen"))
    assert [b.payload for b in third[0].buttons] == [
        "kb:upgrade-window",
        "kb:release-notes",
        "kb:-",
    ]
    fourth = await seeded.engine.handle(
        console_message(clock, "Upgrade windows", payload="kb:upgrade-window")
    )
    assert fourth[0].text == "Sundays 02:00."
    fifth = await seeded.engine.handle(console_message(clock, "what is the meaning of life"))
    assert [b.payload for b in fifth[0].buttons] == ["ticket:new", "human:request"]

    rows = await _messages(seeded)
    assert [r.direction for r in rows] == ["in", "out"] * 5
    assert all(r.state == "handled" for r in rows)
    assert rows[0].contact_id is not None
    async with seeded.db.session() as session:
        conversations = list(await session.scalars(select(Conversation)))
    assert len(conversations) == 1 and conversations[0].client_id is not None
    assert conversations[0].flow is None  # the 'did you mean' choice was consumed


async def test_chinese_question_gets_chinese_phrases(seeded: App, clock: FakeClock) -> None:
    replies = await seeded.engine.handle(console_message(clock, "这个系统怎么备份？", user="wang"))
    assert "不知道" in replies[0].text
    assert replies[0].buttons[0].label == "提交工单"


async def test_same_platform_message_twice_is_handled_once(seeded: App, clock: FakeClock) -> None:
    message = console_message(clock, "/help", message_id="evt-1")
    assert len(await seeded.engine.handle(message)) == 1
    assert await seeded.engine.handle(message) == []
    rows = await _messages(seeded)
    assert len(rows) == 2  # one in, one out


async def test_same_id_on_another_channel_is_another_message(seeded: App, clock: FakeClock) -> None:
    await seeded.engine.handle(console_message(clock, "/help", message_id="42"))
    other = console_message(clock, "/help", message_id="42", channel="telegram", chat="9")
    assert len(await seeded.engine.handle(other)) == 1


async def test_failed_turn_is_retried_on_redelivery(
    seeded: App, clock: FakeClock, kb: FakeKnowledgeBase
) -> None:
    calls = 0

    async def broken(question: str, lang: str, about: tuple[str, ...] = ()) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("index exploded")
        return await FakeKnowledgeBase().lookup(question, "en")

    kb.lookup = broken  # type: ignore[assignment, method-assign]
    message = console_message(clock, "anything", message_id="evt-9")
    failed = await seeded.engine.handle(message)
    assert "went wrong" in failed[0].text
    retried = await seeded.engine.handle(message)
    assert "don't know" in retried[0].text
    async with seeded.db.session() as session:
        states = list(await session.scalars(select(Message.state).where(Message.direction == "in")))
    assert states == ["handled"]


async def test_unknown_sender_is_logged_without_client(app: App, clock: FakeClock) -> None:
    replies = await app.engine.handle(console_message(clock, "/help", user="mallory"))
    assert replies
    async with app.db.session() as session:
        conversation = await session.scalar(select(Conversation))
        count = await session.scalar(select(func.count()).select_from(Message))
    assert conversation is not None and conversation.client_id is None
    assert count == 2


async def test_commands_route_and_unknown_commands_are_named(seeded: App, clock: FakeClock) -> None:
    unknown = await seeded.engine.handle(console_message(clock, "/frobnicate now"))
    assert "/frobnicate" in unknown[0].text
    grouped = await seeded.engine.handle(console_message(clock, "/help@AftercareBot"))
    assert "/ticket" in grouped[0].text
    empty = await seeded.engine.handle(console_message(clock, "   "))
    assert "/help" in empty[0].text


async def test_unknown_button_payload_is_harmless(seeded: App, clock: FakeClock) -> None:
    message: IncomingMessage = console_message(clock, "", payload="nonsense:xyz")
    replies = await seeded.engine.handle(message)
    assert replies and "/help" in replies[0].text


async def test_bare_commands_answer_in_the_contacts_language(seeded: App, clock: FakeClock) -> None:
    replies = await seeded.engine.handle(console_message(clock, "/help", user="wang"))
    assert "我是 Aftercare" in replies[0].text
    english = await seeded.engine.handle(console_message(clock, "/help me please", user="wang"))
    assert "I'm Aftercare" in english[0].text


async def test_a_database_outage_is_raised_and_the_same_event_takes_the_turn_over(
    seeded: App, clock: FakeClock, kb: FakeKnowledgeBase
) -> None:
    from dataclasses import replace

    import pytest
    from sqlalchemy.exc import OperationalError

    calls = 0

    async def gone(question: str, lang: str, about: tuple[str, ...] = ()) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))
        return await FakeKnowledgeBase().lookup(question, "en")

    kb.lookup = gone  # type: ignore[assignment, method-assign]
    message = replace(console_message(clock, "anything", message_id="evt-10"), intake_id=41)
    with pytest.raises(OperationalError):  # not answered "something went wrong": retried
        await seeded.engine.handle(message)
    # Another event carrying the same platform message is a redelivery: not answered...
    assert await seeded.engine.handle(replace(message, intake_id=42)) == []
    # ...but the same event, processed again after the outage, takes the turn over.
    replies = await seeded.engine.handle(message)
    assert "don't know" in replies[0].text
    assert [m.state for m in await _messages(seeded) if m.direction == "in"] == ["handled"]


async def test_an_overlong_message_is_refused_clearly_and_stored_up_to_the_cap(
    seeded: App, clock: FakeClock
) -> None:
    text = "logs " * 3000  # 15,000 characters
    [reply] = await seeded.engine.handle(console_message(clock, text))
    assert "too long" in reply.text and "8,000" in reply.text
    inbound = [m for m in await _messages(seeded) if m.direction == "in"]
    assert len(inbound[0].text) == 8000


async def test_an_invite_code_is_never_kept_in_the_message_log(app: App, clock: FakeClock) -> None:
    await app.directory.add_client("Acme Corp", "ACME")
    invite = await app.invites.create("ACME")
    message = console_message(clock, f"/start {invite.code}", user="newcomer", channel="telegram")
    await app.engine.handle(message)
    logged = [m.text for m in await _messages(app)]
    assert logged[0] == "/start [hidden]"
    assert all(invite.code not in text for text in logged)


async def test_an_invite_code_after_leading_spaces_is_not_kept_either(
    app: App, clock: FakeClock
) -> None:
    """Routing strips the text, so a command after spaces still runs; its secret must not
    reach the log through that gap."""
    await app.directory.add_client("Acme Corp", "ACME")
    invite = await app.invites.create("ACME")
    message = console_message(clock, f"  /start {invite.code}", user="newcomer", channel="telegram")
    await app.engine.handle(message)
    logged = [m.text for m in await _messages(app)]
    assert logged[0] == "/start [hidden]"
    assert all(invite.code not in text for text in logged)
