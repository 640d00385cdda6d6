"""Suggestions: /suggest and "I have a suggestion: ..." in chat, stored against the project,
told to staff and listed by `aftercare suggestions list`."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.core.clock import FakeClock
from bot.features.suggestions.models import Suggestion
from bot.storage.models import OutboxItem
from tests.support.cli import invoke
from tests.support.helpers import console_message
from tests.support.scripted import chat, query, setup_acme_portal


def test_suggestions_are_stored_and_listed(
    cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup_acme_portal(monkeypatch)
    out = chat(
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
    out = chat("wang", "我有一个建议：报表支持按月筛选")
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

    query(cli_env, check)


async def test_a_suggestion_phrase_inside_a_ticket_form_stays_in_the_form(
    seeded: App, clock: FakeClock
) -> None:
    await seeded.engine.handle(console_message(clock, "/ticket"))
    replies = await seeded.engine.handle(
        console_message(clock, "I have a suggestion: the export button is hidden")
    )
    assert [r.kind for r in replies] == ["ticket_form"]  # taken as the title
    replies = await seeded.engine.handle(console_message(clock, "/cancel"))
    replies = await seeded.engine.handle(
        console_message(clock, "I have a suggestion: show the export button")
    )
    assert [r.kind for r in replies] == ["suggestion"]
    assert [s.text for s in await seeded.suggestions.find()] == ["show the export button"]
