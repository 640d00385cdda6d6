"""The real PTB Application behind `aftercare serve` over loopback HTTP, against a fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adapters.channels import configured_channels, run_background
from adapters.http.server import build_asgi
from adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import ConfigError
from bot.core.messages import Address, Button, Reply
from bot.core.protocols import Tier
from bot.storage.models import Conversation, Message
from bot.storage.models_telegram import TelegramCallback
from tests.support.fakes import FakeKnowledgeBase, hit
from tests.support.helpers import settle
from tests.support.http import serve_on_free_port
from tests.support.telegram import (
    ALICE,
    BOB,
    BOT,
    GROUP_ID,
    SECRET,
    FakeBotApi,
    callback,
    feed,
    group_text,
    private_text,
    telegram_adapter,
)

pytestmark = pytest.mark.usefixtures("no_proxy")


@dataclass
class Running:
    api: FakeBotApi
    http: httpx.AsyncClient
    app: App
    adapter: TelegramAdapter

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        response = await self.http.post("/telegram/webhook", json=update, headers=headers)
        await settle(self.app)  # recorded before the 200, answered after it
        return response.status_code


@pytest.fixture
async def telegram(seeded: App) -> AsyncIterator[Running]:
    """`aftercare serve` with Telegram on a free loopback port; alice is linked (user 1001)."""
    await seeded.directory.link("ACME", "alice", "telegram", str(ALICE["id"]))
    api = FakeBotApi()
    adapter = telegram_adapter(seeded, api)
    server, task, base = await serve_on_free_port(build_asgi(seeded, [adapter]))
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            yield Running(api, http, seeded, adapter)
    finally:
        server.should_exit = True
        await task


def _keyboard(args: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in args["reply_markup"]["inline_keyboard"] for b in row]


async def test_configured_channels_include_telegram_when_the_token_is_set(app: App) -> None:
    telegram_adapter(app, FakeBotApi())  # sets the token on the settings
    assert [c.name for c in configured_channels(app)] == ["telegram"]


async def test_webhook_secret_right_wrong_missing(telegram: Running) -> None:
    assert await telegram.post(private_text("/help"), secret="not-the-secret") == 403
    assert await telegram.post(private_text("/help"), secret=None) == 403
    assert telegram.api.sent() == []
    assert await telegram.post(private_text("/help")) == 200
    [sent] = telegram.api.sent()
    assert sent["chat_id"] == ALICE["id"]
    assert "/mytickets" in sent["text"]


async def test_question_gets_cited_answer_escaped_as_html(
    telegram: Running, kb: FakeKnowledgeBase
) -> None:
    kb.add(
        "support hours",
        Tier.CONFIDENT,
        hit("hours", "Support <hours>", "Use the <b>portal</b> & call us."),
    )
    assert await telegram.post(private_text("What are your support hours?")) == 200
    [sent] = telegram.api.sent()
    assert sent["parse_mode"] == "HTML"
    assert "Use the &lt;b&gt;portal&lt;/b&gt; &amp; call us." in sent["text"]
    assert "<i>Source: Support &lt;hours&gt; › Answer</i>" in sent["text"]
    assert "reply_markup" not in sent


async def test_same_update_twice_gets_one_reply(telegram: Running) -> None:
    update = private_text("/help", update_id=77)
    assert await telegram.post(update) == 200
    assert await telegram.post(update) == 200
    assert len(telegram.api.sent()) == 1
    async with telegram.app.db.session() as session:
        ids = list(await session.scalars(select(Message.platform_message_id)))
    assert f"message:{ALICE['id']}:177" in ids


async def test_keyboard_click_edits_message_answers_callback_and_reaches_core(
    telegram: Running, kb: FakeKnowledgeBase
) -> None:
    kb.add(
        "invoice",
        Tier.UNSURE,
        hit("billing", "Billing", "Invoices go out monthly.", 0.5),
        hit("refunds", "Refunds", "Refunds take a week.", 0.45),
    )
    await telegram.post(private_text("invoice question"))
    [choices] = telegram.api.sent()
    assert [b["text"] for b in _keyboard(choices)] == ["Billing", "Refunds", "None of these"]
    click = callback(telegram.api.message(choices), index=0)
    assert await telegram.post(click) == 200
    [answered] = telegram.api.sent("answerCallbackQuery")
    assert answered["callback_query_id"] == click["callback_query"]["id"]
    [edit] = telegram.api.sent("editMessageText")
    assert edit["message_id"] == choices_id(telegram, choices)
    assert "✓ Alice chose Billing" in edit["text"]
    assert "reply_markup" not in edit  # the keyboard is gone: nobody answers twice
    sent = telegram.api.sent()
    assert len(sent) == 2 and "Invoices go out monthly." in sent[1]["text"]
    assert await telegram.post(click) == 200  # a redelivered click: answered, nothing else
    assert len(telegram.api.sent()) == 2


def choices_id(telegram: Running, args: dict[str, Any]) -> int:
    return int(telegram.api.message(args)["message_id"])


async def test_long_button_payload_goes_through_a_stored_token(telegram: Running) -> None:
    payload = "kb:" + "a-very-long-article-id-" * 4
    address = Address("telegram", "", str(ALICE["id"]))
    reply = Reply("Pick one", buttons=(Button("Long one", payload), Button("Short", "kb:-")))
    await telegram.adapter.sender.send(address, reply)
    [sent] = telegram.api.sent()
    long_data, short_data = (b["callback_data"] for b in _keyboard(sent))
    assert short_data.startswith("kb:-.")  # the payload and its MAC for this chat
    assert len(long_data.encode()) <= 64 and not long_data.startswith(payload)
    async with telegram.app.db.session() as session:
        stored = await session.get(TelegramCallback, long_data.rsplit(".", 1)[0])
    assert stored is not None and stored.payload == payload
    assert await telegram.post(callback(telegram.api.message(sent), index=0)) == 200
    async with telegram.app.db.session() as session:
        clicks = list(await session.scalars(select(Message).where(Message.direction == "in")))
    assert clicks[-1].payload == {"button": payload}


async def test_long_answer_is_split_below_4096(telegram: Running) -> None:
    text = ("A line of the release notes < with markup > & more.\n" * 100).strip()
    address = Address("telegram", "", str(ALICE["id"]))
    reply = Reply(text, buttons=(Button("Open a ticket", "ticket:new"),))
    await telegram.adapter.sender.send(address, reply)
    first, second, *rest = telegram.api.sent()
    assert rest == []
    for piece in (first, second):
        assert len(telegram.api.message(piece)["text"]) <= 4096
    assert "reply_markup" not in first and _keyboard(second)
    visible = telegram.api.message(first)["text"] + "\n" + telegram.api.message(second)["text"]
    assert visible == text


async def test_outbox_push_reaches_the_telegram_chat(telegram: Running) -> None:
    address = Address("telegram", "", str(ALICE["id"]))
    telegram.api.fail("sendMessage", times=2)  # two refused connections, then through
    await telegram.app.outbox.enqueue(address, Reply("ACME-1 is now in progress"), key="push1")
    await settle(telegram.app)
    [sent] = telegram.api.sent()
    assert sent["text"] == "ACME-1 is now in progress"


async def test_start_with_valid_used_and_expired_invites(
    telegram: Running, clock: FakeClock
) -> None:
    bob_chat = BOB["id"]
    assert await telegram.post(private_text("/mytickets", user=BOB)) == 200
    assert await telegram.post(private_text("/start", user=BOB)) == 200
    not_linked, how_to = (s["text"] for s in telegram.api.sent())
    assert "don't know which client" in not_linked
    assert "invite code" in how_to and "/start" in how_to
    invite = await telegram.app.invites.create("ACME", days=2)
    assert await telegram.post(private_text(f"/start {invite.code}", user=BOB)) == 200
    assert "linked to Acme Corp" in telegram.api.sent()[-1]["text"]
    assert await telegram.post(private_text("/mytickets", user=BOB)) == 200
    assert "don't know which client" not in telegram.api.sent()[-1]["text"]

    carol = {"id": 1003, "is_bot": False, "first_name": "Carol"}
    assert await telegram.post(private_text(f"/start {invite.code}", user=carol)) == 200
    assert "already been used" in telegram.api.sent()[-1]["text"]

    late = await telegram.app.invites.create("ACME", "alice", days=1)
    clock.advance(timedelta(days=1, seconds=1))
    assert await telegram.post(private_text(f"/start {late.code}", user=carol)) == 200
    assert "expired on 2026-03-03" in telegram.api.sent()[-1]["text"]
    assert await telegram.post(private_text("/start not-a-real-code", user=carol)) == 200
    assert "don't recognise" in telegram.api.sent()[-1]["text"]
    assert all(s["chat_id"] in (bob_chat, carol["id"]) for s in telegram.api.sent())


async def test_group_answers_only_when_addressed(telegram: Running, kb: FakeKnowledgeBase) -> None:
    kb.add("support hours", Tier.CONFIDENT, hit("hours", "Support hours", "9 to 5."))
    mention = f"@{BOT['username']}"
    assert await telegram.post(group_text("what are your support hours?")) == 200
    assert await telegram.post(group_text("/help@some_other_bot")) == 200
    assert telegram.api.sent() == []
    update = group_text(f"{mention} what are your support hours?", user=BOB)
    assert await telegram.post(update) == 200
    [answer] = telegram.api.sent()
    assert answer["chat_id"] == GROUP_ID and "9 to 5." in answer["text"]
    assert answer["reply_parameters"]["message_id"] == update["message"]["message_id"]
    bot_message = telegram.api.message(answer)
    assert (
        await telegram.post(group_text("and on weekends, support hours?", reply_to=bot_message))
        == 200
    )
    assert len(telegram.api.sent()) == 2  # a reply to the bot is addressed to it
    question = kb.questions[-1][0]
    assert mention not in question


async def test_group_linked_by_invite_shows_only_its_clients_data(telegram: Running) -> None:
    other = await telegram.app.directory.add_client("Globex", "GLOBEX")
    assert other.code == "GLOBEX"
    await telegram.app.directory.add_contact("GLOBEX", "gina")
    # Bob belongs to Globex personally; the group belongs to ACME.
    await telegram.app.directory.link("GLOBEX", "gina", "telegram", str(BOB["id"]))
    invite = await telegram.app.invites.create("ACME")
    mention = f"@{BOT['username']}"
    assert (
        await telegram.post(group_text(f"/start@{BOT['username']} {invite.code}", user=BOB)) == 200
    )
    assert "This group is now linked to Acme Corp" in telegram.api.sent()[-1]["text"]
    carol = {"id": 1003, "is_bot": False, "first_name": "Carol"}
    for user in (carol, BOB):
        assert await telegram.post(group_text(f"{mention} /mytickets", user=user)) == 200
    async with telegram.app.db.session() as session:
        rows = list(
            await session.scalars(
                select(Message).where(Message.direction == "in").order_by(Message.id)
            )
        )
    acme = (await telegram.app.directory.list_clients())[0]
    assert acme.code == "ACME"
    linked = [r for r in rows if r.text.endswith("/mytickets")]
    contacts = {r.contact_id for r in linked}
    assert None not in contacts and len(contacts) == 1  # the group's contact, for both
    # The group's conversation belongs to the group (never to a member's private chat), and
    # a push addressed to the group's identity reaches the group.
    async with telegram.app.db.session() as session:
        owner = await session.scalar(
            select(Conversation.contact_id).where(Conversation.chat_id == str(GROUP_ID))
        )
    assert owner in contacts
    await telegram.adapter.sender.send(Address("telegram", "", f"chat:{GROUP_ID}"), Reply("hi"))
    assert telegram.api.sent()[-1]["chat_id"] == GROUP_ID


async def test_webhook_mode_needs_the_secret(app: App) -> None:
    adapter = telegram_adapter(app, FakeBotApi(), secret=None)
    with pytest.raises(ConfigError, match="AFTERCARE_TELEGRAM_WEBHOOK_SECRET"):
        await adapter.start(embedded=False)
    await adapter.stop()


async def test_long_polling_answers_and_deletes_the_webhook(seeded: App) -> None:
    api = FakeBotApi()
    api.updates.append(private_text("/help", update_id=5))
    adapter = telegram_adapter(seeded, api)
    await adapter.start(embedded=True)
    stop = asyncio.Event()
    background = asyncio.create_task(run_background(seeded, [adapter], stop))
    try:
        for _ in range(250):
            if api.sent():
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await background
        await adapter.stop()
    assert api.sent("deleteWebhook")
    assert len(api.sent()) == 1


async def test_set_webhook_sends_the_secret(app: App) -> None:
    api = FakeBotApi()
    adapter = telegram_adapter(app, api)
    await adapter.set_webhook("https://aftercare.example.com/telegram/webhook")
    [call] = api.sent("setWebhook")
    assert call["url"] == "https://aftercare.example.com/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message", "callback_query"]


async def test_processing_directly_with_feed(seeded: App) -> None:
    """The fake's `feed` drives the Application without HTTP (for other features' tests)."""
    api = FakeBotApi()
    adapter = telegram_adapter(seeded, api)
    await adapter.start(embedded=False)
    try:
        await feed(adapter, private_text("/help"))
    finally:
        await adapter.stop()
    assert len(api.sent()) == 1
    menus = api.sent("setMyCommands")
    assert [m.get("language_code") for m in menus] == [None, "zh"]
    assert [c["command"] for c in menus[0]["commands"]][:3] == ["help", "ticket", "mytickets"]


async def test_reply_that_cannot_be_sent_is_retried_by_the_outbox(
    telegram: Running, clock: FakeClock
) -> None:
    telegram.api.fail("sendMessage", times=3)  # more refusals than the request retries
    assert await telegram.post(private_text("/help")) == 200
    assert telegram.api.sent() == []
    clock.advance(timedelta(seconds=6))  # the outbox's first backoff
    telegram.app.outbox.notify()
    await settle(telegram.app)
    [sent] = telegram.api.sent()
    assert "/mytickets" in sent["text"]


async def test_linked_group_keeps_its_link_when_upgraded_to_a_supergroup(
    telegram: Running,
) -> None:
    old_chat = {"id": -4001, "type": "group", "title": "Acme support"}
    invite = await telegram.app.invites.create("ACME")
    start = group_text(f"/start@{BOT['username']} {invite.code}", user=BOB)
    start["message"]["chat"] = old_chat
    assert await telegram.post(start) == 200
    moved = group_text("", user=BOB)
    moved["message"] = {k: v for k, v in moved["message"].items() if k != "text"}
    moved["message"].update(chat=old_chat, migrate_to_chat_id=GROUP_ID)
    assert await telegram.post(moved) == 200
    assert await telegram.post(group_text(f"@{BOT['username']} /mytickets", user=BOB)) == 200
    assert "don't know which client" not in telegram.api.sent()[-1]["text"]
    assert telegram.api.sent()[-1]["chat_id"] == GROUP_ID


async def test_tokens_and_secret_never_reach_the_log(
    telegram: Running, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from bot.core.logs import configure_logging
    from tests.support.telegram import TOKEN

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("DEBUG", False, (TOKEN, SECRET))
    httpx_logger = logging.getLogger("httpx")
    httpx_level = httpx_logger.level
    httpx_logger.setLevel(logging.DEBUG)  # as verbose as anyone could make it
    try:
        telegram.api.fail("sendMessage", times=3)
        assert await telegram.post(private_text("/help")) == 200
        clock.advance(timedelta(seconds=6))  # the outbox retries, and gets through
        telegram.app.outbox.notify()
        await settle(telegram.app)
    finally:
        root.handlers, root.level = saved[0], saved[1]
        httpx_logger.setLevel(httpx_level)
    err = capsys.readouterr().err
    assert "connection failed, retrying" in err  # the run did log
    assert TOKEN.split(":")[1] not in err and SECRET not in err
    assert "[redacted]" in err  # httpx did log the request URLs, without the token


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'"update"',
        b"{}",
        b'{"update_id": "7"}',
        b'{"update_id": 7, "message": 1}',
    ],
)
async def test_webhook_body_that_is_not_an_update_is_refused(
    telegram: Running, body: bytes
) -> None:
    response = await telegram.http.post(
        "/telegram/webhook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 400
    assert telegram.api.sent() == []


async def test_ticket_conversation_over_telegram(telegram: Running) -> None:
    """/ticket → title → description → severity button; a staff status change is pushed back."""
    for text in ("/ticket", "CSV export fails", "Clicking Export gives a 500 error"):
        assert await telegram.post(private_text(text)) == 200
    severity = telegram.api.sent()[-1]
    labels = [b["text"] for b in _keyboard(severity)]
    assert len(labels) >= 4 and labels[1].startswith("P2")
    assert await telegram.post(callback(telegram.api.message(severity), index=1)) == 200
    created = telegram.api.sent()[-1]
    assert "ACME-1" in created["text"] and "Europe/Berlin" in created["text"]

    assert await telegram.post(private_text("/status ACME-1")) == 200
    assert "CSV export fails" in telegram.api.sent()[-1]["text"]

    before = len(telegram.api.sent())
    await telegram.app.tickets.set_status("ACME-1", "in_progress", "bob")
    await settle(telegram.app)  # the server's outbox delivery pushes it
    pushed = telegram.api.sent()[before:]
    assert any("ACME-1" in p["text"] and "in progress" in p["text"] for p in pushed), pushed
    assert all(p["chat_id"] == ALICE["id"] for p in pushed)


async def test_a_callback_forged_from_another_chats_button_is_refused(
    telegram: Running, kb: FakeKnowledgeBase
) -> None:
    """A client can send any callback_data; only a button offered in that chat counts."""
    kb.add("invoice", Tier.UNSURE, hit("billing", "Billing", "Invoices go out monthly.", 0.5))
    await telegram.adapter.sender.send(
        Address("telegram", "", str(BOB["id"])),
        Reply("Rate us", buttons=(Button("5", "survey:v:1:5"),)),
    )
    [for_bob] = telegram.api.sent()
    bobs_data = _keyboard(for_bob)[0]["callback_data"]
    await telegram.post(private_text("invoice question"))
    mine = telegram.api.message(telegram.api.sent()[-1])
    for forged in (bobs_data, "survey:v:1:5", "handoff:take:1", "~unknown-token.AAAAAAAA"):
        click = callback(mine, index=0)
        click["callback_query"]["data"] = forged
        assert await telegram.post(click) == 200
    async with telegram.app.db.session() as session:
        inbound = list(await session.scalars(select(Message).where(Message.direction == "in")))
    assert [m.payload for m in inbound if m.payload] == []  # no click reached the core
    assert telegram.api.sent("editMessageText") == []
    assert len(telegram.api.sent()) == 2


async def test_an_update_from_an_older_bot_api_is_understood(telegram: Running) -> None:
    update = private_text("/help", update_id=4242)
    message = update["message"]
    message["chat"] = {k: v for k, v in message["chat"].items() if k != "type"}
    message["from"] = {k: v for k, v in message["from"].items() if k != "is_bot"}
    assert await telegram.post(update) == 200
    assert "/mytickets" in telegram.api.sent()[-1]["text"]
