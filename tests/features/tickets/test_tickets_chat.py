"""Ticket conversations through the console adapter, in English and Chinese, on every database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.console.chat import ConsoleSession
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import Reply
from bot.features.tickets.models import Ticket, TicketEvent
from bot.storage.models import OutboxItem
from tests.support.helpers import console_message


async def _session(app: App, handle: str) -> ConsoleSession:
    session = ConsoleSession(app, handle)
    await session.start()
    return session


async def _say(session: ConsoleSession, *lines: str) -> list[Reply]:
    replies: list[Reply] = []
    for line in lines:
        replies = await session.say(line)
    return replies


async def _open(session: ConsoleSession, title: str, description: str, severity: int = 2) -> str:
    replies = await _say(session, "/ticket", title, description, str(severity))
    assert replies[0].kind == "ticket_created", replies
    return replies[0].meta["ticket"]


async def test_open_query_comment_and_reopen_in_english(seeded: App, clock: FakeClock) -> None:
    alice = await _session(seeded, "alice")
    asked = await alice.say("/ticket")
    assert "In one line" in asked[0].text
    assert "describe it" in (await alice.say("CSV export fails"))[0].text
    severity = await alice.say("Clicking Export gives a 500 error since Friday")
    assert [b.payload for b in severity[0].buttons][:4] == [
        "ticket:sev:P1",
        "ticket:sev:P2",
        "ticket:sev:P3",
        "ticket:sev:P4",
    ]
    assert "workaround" in severity[0].text  # each severity is explained in one line
    created = await alice.say("2")  # P2 High
    assert created[0].kind == "ticket_created"
    assert "ACME-1" in created[0].text
    # Gold P2: 1 working hour to respond; opened Monday 10:00 Berlin → due 11:00 Berlin.
    assert "2026-03-02 11:00" in created[0].text and "Europe/Berlin" in created[0].text

    status = await alice.say("/status acme-1")
    assert "ACME-1 CSV export fails" in status[0].text and "new" in status[0].text
    listing = await alice.say("/mytickets")
    assert "ACME-1 [P2] new - CSV export fails" in listing[0].text

    added = await alice.say("/comment ACME-1 It also fails for PDF")
    assert added[0].kind == "ticket_comment"
    await alice.say("/status ACME-1")
    prompt = await alice.say("1")  # the "Add a comment" button
    assert "Type your comment for ACME-1" in prompt[0].text
    assert (await alice.say("Happens for every user"))[0].kind == "ticket_comment"

    resolved = await seeded.tickets.resolve("ACME-1", "bob", "Fixed in 2.3.1")
    assert resolved.status == "resolved"
    pushed = await alice.say("/mytickets")  # the push comes first in the next turn
    assert pushed[0].kind == "ticket_update" and "resolved" in pushed[0].text
    assert "Fixed in 2.3.1" in pushed[0].text

    clock.advance(timedelta(days=3))
    reopened = await alice.say("/reopen ACME-1 still broken for PDF")
    assert reopened[0].kind == "ticket_reopened"
    view = await seeded.tickets.get("ACME-1")
    assert view.status == "reopened"
    kinds = [e.kind for e in view.events]
    assert kinds == ["opened", "comment", "comment", "status", "status"]


async def test_chinese_conversation(seeded: App, clock: FakeClock) -> None:
    wang = await _session(seeded, "wang")
    start = await wang.say("我要报告一个问题")
    assert "一句话" in start[0].text
    await wang.say("报表导出失败")
    severity = await wang.say("点击导出按钮后页面报错 500，所有用户都一样")
    assert "严重程度" in severity[0].text
    created = await wang.say("1")
    assert "工单 ACME-1 已创建" in created[0].text and "首次响应截止" in created[0].text
    # P1 is 24x7: 30 minutes after 10:00 Berlin.
    assert "2026-03-02 10:30" in created[0].text
    # The reply's language follows the message's (a bare command reads as English).
    status = await wang.say("/status ACME-1 进展如何")
    assert "状态：新建" in status[0].text
    assert (await wang.say("/comment ACME-1 补充：手机端也一样"))[0].text.startswith("已将您的说明")
    await seeded.tickets.set_status("ACME-1", "in_progress", "bob")
    pushed = await wang.say("/mytickets 我的工单")
    assert "当前状态为「处理中」" in pushed[0].text  # pushed in the reporter's language
    assert "ACME-1 [P1] 处理中 - 报表导出失败" in pushed[-1].text
    await seeded.tickets.resolve("ACME-1", "bob")
    assert "已解决" in (await wang.say("/mytickets 我的工单"))[0].text  # the push
    assert "重新打开" in [b.label for b in (await wang.say("/status ACME-1 怎么样了"))[0].buttons]
    assert "已重新打开" in (await wang.say("2"))[0].text  # the Reopen button


async def test_plain_english_report_starts_the_form_but_questions_reach_the_faq(
    seeded: App, clock: FakeClock
) -> None:
    alice = await _session(seeded, "alice")
    replies = await alice.say("the export is broken")
    assert replies[0].text.startswith("It sounds like")
    assert "describe" in replies[1].text  # the text became the title
    assert (await alice.say("/cancel"))[0].text.startswith("Cancelled")
    assert "In one line" in (await alice.say("I want to report a bug"))[0].text
    await alice.say("cancel")
    faq = await alice.say("How do I fix a broken export?")
    assert faq[0].kind.startswith("faq")
    faq = await alice.say("what is the warranty period")
    assert faq[0].kind.startswith("faq")


async def test_faq_offer_button_opens_the_form(seeded: App, clock: FakeClock) -> None:
    alice = await _session(seeded, "alice")
    abstain = await alice.say("what is the meaning of life")
    assert abstain[0].buttons[0].payload == "ticket:new"
    assert "In one line" in (await alice.say("1"))[0].text


async def test_near_identical_report_within_a_day_asks_first(seeded: App, clock: FakeClock) -> None:
    alice = await _session(seeded, "alice")
    await _open(alice, "CSV export fails", "Export gives a 500 error")
    clock.advance(timedelta(hours=2))
    question = await _say(alice, "/ticket", "CSV export fails!", "Export gives a 500 error.")
    assert 'same problem as ACME-1 "CSV export fails"' in question[0].text
    merged = await alice.say("1")
    assert "added your description to ACME-1" in merged[0].text
    async with seeded.db.session() as session:
        assert len(list(await session.scalars(select(Ticket)))) == 1
    # A new, different problem is not taken for a duplicate; after a day neither is the same one.
    different = await _say(alice, "/ticket", "Login page is slow", "Takes 20 seconds to load")
    assert different[0].kind == "ticket_severity"
    await alice.say("/cancel")
    clock.advance(timedelta(days=1))
    again = await _say(alice, "/ticket", "CSV export fails", "Export gives a 500 error")
    assert again[0].kind == "ticket_severity"


async def test_several_projects_ask_which(seeded: App, clock: FakeClock) -> None:
    await seeded.directory.add_project(
        "ACME", "Warehouse", clock.now().date(), 12, "bronze", "Asia/Shanghai"
    )
    alice = await _session(seeded, "alice")
    ask = await _say(alice, "/ticket", "Stock counts wrong", "Counts are off by one", "3")
    assert [b.label for b in ask[0].buttons] == ["Portal", "Warehouse", "Cancel"]
    created = await alice.say("2")
    assert "project Warehouse" in created[0].text and "Asia/Shanghai" in created[0].text


async def test_unlinked_sender_gets_not_linked(seeded: App, clock: FakeClock) -> None:
    for text in ("/ticket", "/mytickets", "/status ACME-1", "/comment ACME-1 hi", "/reopen ACME-1"):
        replies = await seeded.engine.handle(console_message(clock, text, user="stranger"))
        assert replies[0].kind == "not_linked", text
    replies = await seeded.engine.handle(
        console_message(clock, "I want to report a bug", user="stranger")
    )
    assert replies[0].kind == "not_linked"


async def test_status_change_and_staff_comment_are_pushed_once(
    seeded: App, clock: FakeClock
) -> None:
    alice = await _session(seeded, "alice")
    ref = await _open(alice, "CSV export fails", "500 error")
    await seeded.tickets.acknowledge(ref, "bob")
    await seeded.tickets.comment(ref, "Looking into it", "bob")
    await seeded.tickets.assign(ref, "carol", "bob")  # not a status change: no push
    async with seeded.db.session() as session:
        items = list(await session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        events = list(await session.scalars(select(TicketEvent).order_by(TicketEvent.id)))
    assert [i.reply["kind"] for i in items] == ["ticket_update", "ticket_update"]
    assert all(i.chat_id == alice.address.chat_id for i in items)
    assert "acknowledged" in items[0].reply["text"]
    assert "bob commented on ACME-1" in items[1].reply["text"]
    assert all(i.idempotency_key and i.idempotency_key.startswith("ticket:") for i in items)
    assert [e.kind for e in events] == ["opened", "status", "comment", "assigned"]
    view = await seeded.tickets.get(ref)
    assert view.first_response_at == clock.now()
