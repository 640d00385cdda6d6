"""The deflection report: FAQ questions answered without a person, by ISO week and language,
on every database; and `aftercare report deflection`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.protocols import Tier
from bot.core.settings import Settings
from bot.features.faq.deflection import Deflection, deflection
from bot.storage.models import Conversation
from tests.conftest import START
from tests.features.faq.support import ask
from tests.support.cli import invoke
from tests.support.fakes import FakeKnowledgeBase, hit


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.slack_staff_channel = "CSTAFF"  # where escalations go
    return settings


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    kb = FakeKnowledgeBase()
    kb.add("password", Tier.CONFIDENT, hit("password-reset", "Resetting your password", "Click."))
    kb.add("vpn", Tier.UNSURE, hit("network", "Network", "…"), hit("remote", "Remote", "…"))
    return kb  # anything else: "I don't know"


async def _two_weeks(app: App, clock: FakeClock) -> None:
    # 2026-W10: alice answered; wang answered, then asks for a person; alice not answered.
    await ask(app, clock, "alice", "How do I reset my password?")
    await ask(app, clock, "wang", "password 怎么重置？")
    await ask(app, clock, "wang", "转人工")
    async with app.db.session() as session:
        wang = await session.scalar(
            select(Conversation.id).where(Conversation.chat_id == "console:wang")
        )
    assert wang is not None
    await app.escalation.hand_back(wang, "Sam")  # the bot answers wang again
    await ask(app, clock, "alice", "Can I get my invoice as a PDF?")
    # 2026-W11: "did you mean", then a click on an article; wang asks for a person 25 h later.
    clock.set(START + timedelta(days=7))
    await ask(app, clock, "alice", "Is there a VPN for remote staff?")
    await ask(app, clock, "alice", "Network", payload="kb:network")
    await ask(app, clock, "wang", "password 怎么改？")
    clock.advance(timedelta(hours=25))
    await ask(app, clock, "wang", "人工客服")


async def test_deflection_by_week_and_language(seeded: App, clock: FakeClock) -> None:
    await _two_weeks(seeded, clock)
    async with seeded.db.session() as session:
        report = await deflection(session, since=START - timedelta(days=7))
    assert [(w.week, w.starts.isoformat()) for w in report.weeks] == [
        ("2026-W10", "2026-03-02"),
        ("2026-W11", "2026-03-09"),
    ]
    first, second = report.weeks
    assert first.all == Deflection(questions=3, answered=2, deflected=1)
    assert first.by_lang == {"en": Deflection(2, 1, 1), "zh": Deflection(1, 1, 0)}
    assert second.all == Deflection(2, 2, 2)
    assert second.by_lang == {"en": Deflection(1, 1, 1), "zh": Deflection(1, 1, 1)}
    assert report.all == Deflection(5, 4, 3) and report.all.rate == pytest.approx(0.6)
    assert report.by_lang == {"en": Deflection(3, 2, 2), "zh": Deflection(2, 2, 1)}

    async with seeded.db.session() as session:
        later = await deflection(session, since=START + timedelta(days=7))
    assert [w.week for w in later.weeks] == ["2026-W11"]
    async with seeded.db.session() as session:
        nothing = await deflection(session, since=START + timedelta(days=30))
    assert nothing.weeks == () and nothing.all.rate is None


def test_report_deflection_command(cli_env: str, tmp_path: Path) -> None:
    async def seed() -> None:
        settings = Settings(_env_file=None, data_dir=tmp_path, database_url=cli_env)  # type: ignore[call-arg]
        settings.slack_staff_channel = "CSTAFF"
        clock = FakeClock(START)
        app = await build_app(settings, clock=clock, kb=_kb())
        try:
            await app.directory.add_client("Acme Corp", "ACME")
            for handle, lang in (("alice", "en"), ("wang", "zh")):
                await app.directory.add_contact("ACME", handle, handle.title(), lang=lang)
                await app.directory.link("ACME", handle, "console", handle)
            await _two_weeks(app, clock)
        finally:
            await app.close()

    asyncio.run(seed())
    weeks = (datetime.now(UTC) - START).days // 7 + 2
    code, out, err = invoke("report", "deflection", "--weeks", str(weeks))
    assert code == 0, err
    rows = [
        line.split("│")[1:-1] for line in out.splitlines() if "2026-W" in line or "total" in line
    ]
    cells = [[c.strip() for c in row] for row in rows]
    assert ["2026-W10", "all", "3", "2", "1", "33%"] in cells
    assert ["2026-W11", "zh", "1", "1", "1", "100%"] in cells
    assert ["total", "all", "5", "4", "3", "60%"] in cells


def _kb() -> FakeKnowledgeBase:
    kb = FakeKnowledgeBase()
    kb.add("password", Tier.CONFIDENT, hit("password-reset", "Resetting your password", "Click."))
    kb.add("vpn", Tier.UNSURE, hit("network", "Network", "…"))
    return kb
