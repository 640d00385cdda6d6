"""Handover, suggestions and /project as scripted console chats through the real `aftercare`
command: the whole checklist confirmed (the project is accepted, follow-ups move to the
acceptance date), a problem raised from an item (a ticket), suggestions, and /project."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.core.directory import add_months
from bot.features.handover.models import HandoverEvent, HandoverItem
from bot.features.suggestions.models import Suggestion
from bot.features.tickets.models import Ticket
from bot.storage.models import OutboxItem, Project
from bot.storage.models_jobs import JobRow
from tests.support.cli import invoke

T = TypeVar("T")
DELIVERED_DAYS_AGO = 20


def _query(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_async_engine(url)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _setup(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """ACME with project Portal delivered 20 days ago (UTC) and alice on the console."""
    monkeypatch.setenv("AFTERCARE_SLACK_STAFF_CHANNEL", "CSTAFF")
    today = datetime.now(UTC).date()
    delivered = today - timedelta(days=DELIVERED_DAYS_AGO)
    assert invoke("client", "add", "Acme Corp", "--code", "ACME")[0] == 0
    code, _, err = invoke(
        "project", "add", "--client", "ACME", "--name", "Portal",
        "--delivered", delivered.isoformat(), "--warranty-months", "12",
        "--sla-tier", "gold", "--timezone", "UTC",
    )  # fmt: skip
    assert code == 0, err
    for handle, lang in (("alice", "en"), ("wang", "zh")):
        assert (
            invoke("contact", "add", "--client", "ACME", "--handle", handle, "--lang", lang)[0] == 0
        )
        assert invoke(
            "contact", "link", "--client", "ACME", "--handle", handle,
            "--channel", "console", "--user-id", handle,
        )[0] == 0  # fmt: skip
    return datetime.combine(delivered, datetime.min.time(), UTC)


def _chat(handle: str, *lines: str) -> str:
    code, out, err = invoke("chat", "--as", handle, "--script", stdin="\n".join(lines) + "\n")
    assert code == 0, err
    return out


async def _checkin_jobs(session: AsyncSession) -> list[tuple[str, str, datetime]]:
    rows = await session.scalars(
        select(JobRow).where(JobRow.kind == "followup.checkin").order_by(JobRow.key)
    )
    return [(r.key or "", r.state, r.due_at) for r in rows]


def test_confirming_every_item_accepts_and_moves_follow_ups(
    cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivered = _setup(monkeypatch)
    before = _query(cli_env, _checkin_jobs)
    # Day 7 has passed: only the 30- and 90-day check-ins are pending, from delivery.
    assert [(k.rsplit(":", 1)[1], s) for k, s, _ in before] == [
        ("30", "pending"),
        ("90", "pending"),
    ]
    assert invoke("handover", "tick", "Portal", "user_manual", "--by", "dana")[0] == 0

    out = _chat("alice", "/handover", *["1"] * 7)
    assert "Handover checklist for Portal (0 of 8 confirmed):" in out
    assert "2. [ ] User manual delivered - done on our side; overdue since" in out
    assert "Please confirm item 1: Acceptance tests passed" in out
    assert "Thank you, confirmed: Data migrated and verified." in out
    assert "(7 of 8 confirmed)" in out and "Please confirm item 8: Sign-off" in out
    assert "accepted" not in out  # one item to go

    out = _chat("wang", "/handover", "1")
    assert "Portal 的交接清单（已确认 7/8 项）" in out and "请确认第 8 项：验收签字" in out
    today = datetime.now(UTC).date()
    assert "所有交接项均已确认" in out and f"自 {today.isoformat()} 起正式验收" in out

    async def check(session: AsyncSession) -> None:
        project = await session.scalar(select(Project).where(Project.name == "Portal"))
        assert project is not None and project.accepted_on == today
        # The warranty clock starts at acceptance: its twelve months move along with it.
        shift = today - delivered.date()
        assert project.warranty_until == add_months(delivered.date(), 12) + shift
        events = list(await session.scalars(select(HandoverEvent).order_by(HandoverEvent.id)))
        confirmed = [e for e in events if e.kind == "confirmed"]
        assert len(confirmed) == 8 and {e.actor for e in confirmed} == {"alice", "wang"}
        assert [e.kind for e in events].count("accepted") == 1
        assert [e.actor for e in events if e.kind == "ticked"] == ["dana"]
        items = list(await session.scalars(select(HandoverItem)))
        assert all(i.confirmed_at is not None and i.confirmed_contact_id for i in items)
        staff = list(
            await session.scalars(select(OutboxItem).where(OutboxItem.chat_id == "CSTAFF"))
        )
        accepted = [s for s in staff if s.idempotency_key == f"handover:{project.id}:accepted"]
        assert len(accepted) == 1 and "Handover complete: ACME / Portal accepted" in str(
            accepted[0].reply["text"]
        )

    _query(cli_env, check)
    after = _query(cli_env, _checkin_jobs)
    # Re-anchored to acceptance: one job per day (7 is due again), none doubled.
    assert sorted(k.rsplit(":", 1)[1] for k, _, _ in after) == ["30", "7", "90"]
    pending = {k.rsplit(":", 1)[1]: due.date() for k, s, due in after if s == "pending"}
    assert pending == {d: today + timedelta(days=int(d)) for d in ("7", "30", "90")}

    out = invoke("handover", "show", "ACME/Portal")[1]
    assert f"accepted {today.isoformat()}; 8 of 8 items confirmed" in out
    assert "accepted  -" in out and "confirmed sign_off" in out and "ticked    user_manual" in out


def test_problem_with_an_item_opens_a_ticket(
    cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _setup(monkeypatch)
    out = _chat("alice", "/handover 2", "2", "x", "The manual has no chapter on exports")
    assert "Please confirm item 2: User manual delivered" in out
    assert 'What is wrong with "User manual delivered"?' in out
    assert "Please describe it in a few more words" in out
    assert 'I opened ticket ACME-1 for "User manual delivered"' in out

    async def check(session: AsyncSession) -> None:
        ticket = await session.scalar(select(Ticket))
        assert ticket is not None and ticket.title == "Handover: User manual delivered"
        assert "The manual has no chapter on exports" in ticket.description
        assert "checklist item 'user_manual'" in ticket.description
        item = await session.scalar(select(HandoverItem).where(HandoverItem.key == "user_manual"))
        assert item is not None and item.ticket_id == ticket.id and item.confirmed_at is None
        event = await session.scalar(select(HandoverEvent).where(HandoverEvent.kind == "problem"))
        assert event is not None and event.ticket_id == ticket.id and event.item_id == item.id

    _query(cli_env, check)
    out = _chat("alice", "/handover")
    assert "2. [!] User manual delivered - problem reported: ACME-1;" in out
    assert "problem ACME-1" in invoke("handover", "show", "Portal")[1]


def test_suggestions_are_stored_and_listed(
    cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _setup(monkeypatch)
    out = _chat(
        "alice",
        "/suggest Add a dark mode",
        "I have a suggestion: export to PDF as well",
        "I have an idea",
        "cancel",
        "I have a suggestion",
        "Let us pin favourite reports",
    )
    assert out.count("Thank you for the suggestion! I've passed it on to the Portal team.") == 3
    assert "Great, what is your suggestion?" in out and "OK, cancelled." in out
    out = _chat("wang", "我有一个建议：报表支持按月筛选")
    assert "感谢您的建议！我已转交给 Portal 团队。" in out
    code, out, _ = invoke("suggestions", "list", "--project", "portal")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 4 and "ACME/Portal  wang: 报表支持按月筛选" in lines[0]
    assert "alice: Add a dark mode" in lines[3] and "alice: export to PDF as well" in lines[2]
    assert invoke("suggestions", "list", "--project", "other")[1].strip() == "no suggestions"

    async def check(session: AsyncSession) -> None:
        staff = await session.scalars(select(OutboxItem).where(OutboxItem.chat_id == "CSTAFF"))
        assert len([r for r in staff if str(r.idempotency_key).startswith("suggestion:")]) == 4
        projects = set(await session.scalars(select(Suggestion.project_id)))
        assert len(projects) == 1 and None not in projects

    _query(cli_env, check)


def test_project_summary(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(monkeypatch)
    today = datetime.now(UTC).date()
    _chat("alice", "/ticket", "CSV export fails", "Clicking Export gives a 500 error", "2")
    out = _chat("alice", "/project")
    assert "Portal (gold SLA)" in out
    assert "not accepted yet (0 of 8 handover items confirmed" in out
    assert "days left." in out and "P1: 0.5h / 4h" in out and "P4: 8h / 90h" in out
    assert "Open tickets: 1 (ACME-1)" in out
    delivered = today - timedelta(days=DELIVERED_DAYS_AGO)
    assert f"Next check-in: {(delivered + timedelta(days=30)).isoformat()}" in out
    assert "Next training" not in out
    at = f"{today + timedelta(days=3)} 10:00"
    code, _, err = invoke(
        "training", "add", "Portal", "--kind", "basic", "--at", at,
        "--online", "https://meet.example/portal", "--title", "Portal basics",
    )  # fmt: skip
    assert code == 0, err
    assert f"Next training: {at} (UTC), Portal basics" in _chat("alice", "/project")
    out = _chat("wang", "/project")
    assert "Portal（gold 级服务）" in out and "未关闭工单：1 (ACME-1)" in out
