"""Handover as scripted console chats through the real `aftercare` command: the whole checklist
confirmed (the project is accepted, follow-ups move to the acceptance date), and a problem
raised from an item (a ticket)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.directory import add_months
from bot.features.handover.models import HandoverEvent, HandoverItem
from bot.features.tickets.models import Ticket
from bot.storage.models import OutboxItem, Project
from bot.storage.models_jobs import JobRow
from tests.support.cli import invoke
from tests.support.scripted import chat, query, setup_acme_portal


async def _checkin_jobs(session: AsyncSession) -> list[tuple[str, str, datetime]]:
    rows = await session.scalars(
        select(JobRow).where(JobRow.kind == "followup.checkin").order_by(JobRow.key)
    )
    return [(r.key or "", r.state, r.due_at) for r in rows]


def test_confirming_every_item_accepts_and_moves_follow_ups(
    cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivered = setup_acme_portal(monkeypatch)
    before = query(cli_env, _checkin_jobs)
    # Day 7 has passed: only the 30- and 90-day check-ins are pending, from delivery.
    assert [(k.rsplit(":", 1)[1], s) for k, s, _ in before] == [
        ("30", "pending"),
        ("90", "pending"),
    ]
    assert invoke("handover", "tick", "Portal", "user_manual", "--by", "dana")[0] == 0

    out = chat("alice", "/handover", *["1"] * 7)
    assert "Handover checklist for Portal (0 of 8 confirmed):" in out
    assert "2. [ ] User manual delivered - done on our side; overdue since" in out
    assert "Please confirm item 1: Acceptance tests passed" in out
    assert "Thank you, confirmed: Data migrated and verified." in out
    assert "(7 of 8 confirmed)" in out and "Please confirm item 8: Sign-off" in out
    assert "accepted" not in out  # one item to go

    out = chat("wang", "/handover", "1")
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

    query(cli_env, check)
    after = query(cli_env, _checkin_jobs)
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
    setup_acme_portal(monkeypatch)
    out = chat("alice", "/handover 2", "2", "x", "The manual has no chapter on exports")
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

    query(cli_env, check)
    out = chat("alice", "/handover")
    assert "2. [!] User manual delivered - problem reported: ACME-1;" in out
    assert "problem ACME-1" in invoke("handover", "show", "Portal")[1]
