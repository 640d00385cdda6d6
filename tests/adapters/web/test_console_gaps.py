"""Knowledge gaps and the deflection report in the console: clusters ranked as the desk ranks
them, "write an answer" writes a draft with the clients' questions, dismiss closes a gap, an
agent sees only their clients' questions, and client text stays text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.protocols import Tier
from bot.core.settings import Settings
from bot.features.faq.drafts import list_drafts
from tests.features.faq.support import ask, fake_embed
from tests.support.console import add_staff, console_client, post_form, sign_in
from tests.support.fakes import FakeKnowledgeBase, hit


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> None:
    monkeypatch.setattr("adapters.web.pages.gaps.query_encoder", lambda _config, _kb: fake_embed)
    settings.kb_dir = tmp_path / "kb"
    settings.kb_dir.mkdir()


async def _gaps(app: App, clock: FakeClock) -> None:
    await app.directory.add_client("Globex", "GLOBEX")
    await app.directory.add_contact("GLOBEX", "li", "Li Na", lang="zh")
    await app.directory.link("GLOBEX", "li", "console", "li")
    await ask(app, clock, "alice", "Where do I download my invoice?")
    await ask(app, clock, "wang", "发票在哪里下载？")
    await ask(app, clock, "li", "Can I get an invoice copy <script>alert(1)</script>")
    await ask(app, clock, "alice", "Is the printer <b>broken</b>?")


async def test_gaps_are_listed_and_an_answer_becomes_a_draft(
    seeded: App, clock: FakeClock, settings: Settings
) -> None:
    await _gaps(seeded, clock)
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        listed = await client.get("/console/knowledge/gaps")
        assert listed.status_code == 200
        page = listed.text
        assert page.index("invoice") < page.index("printer")  # two clients before one
        assert "<script>alert(1)</script>" not in page and "<b>broken</b>" not in page
        clusters = await seeded_clusters(seeded)
        invoice = clusters[0]
        detail = await client.get(f"/console/knowledge/gaps/{invoice}")
        assert "发票在哪里下载？" in detail.text and "&lt;script&gt;" in detail.text
        written = await post_form(
            client,
            f"/console/knowledge/gaps/{invoice}",
            f"/console/knowledge/gaps/{invoice}/draft",
            {"title": "Downloading invoices", "answer": "Open Billing, then Invoices, then PDF."},
        )
        assert written.status_code == 303 and written.headers["location"] == "/console/knowledge"
    [draft] = list_drafts(settings.kb_dir)
    text = draft.read_text(encoding="utf-8")
    assert "Where do I download my invoice?" in text and "发票在哪里下载？" in text
    assert "Open Billing, then Invoices, then PDF." in text


async def seeded_clusters(app: App) -> list[int]:
    from indexer.publishing import knowledge_desk

    desk = knowledge_desk(app.db, app.clock, app.settings)
    return [c.id for c in await desk.gaps(fake_embed)]


async def test_an_agent_sees_only_their_clients_gaps(seeded: App, clock: FakeClock) -> None:
    await _gaps(seeded, clock)
    agent = await add_staff(seeded, "Gus", role="agent", clients=("GLOBEX",))
    async with console_client(seeded) as client:
        await sign_in(client, agent)
        page = (await client.get("/console/knowledge/gaps")).text
        assert "invoice copy" in page and "printer" not in page
        assert "Where do I download" not in page
        printer = (await seeded_clusters(seeded))[-1]
        assert (await client.get(f"/console/knowledge/gaps/{printer}")).status_code == 404


async def test_a_dismissed_gap_leaves_the_list(seeded: App, clock: FakeClock) -> None:
    await _gaps(seeded, clock)
    dana = await add_staff(seeded)
    printer = (await seeded_clusters(seeded))[-1]
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        gone = await post_form(
            client,
            f"/console/knowledge/gaps/{printer}",
            f"/console/knowledge/gaps/{printer}/dismiss",
            {},
        )
        assert gone.status_code == 303
        assert "printer" not in (await client.get("/console/knowledge/gaps")).text


async def test_the_deflection_report_by_week_and_language(
    seeded: App, clock: FakeClock, kb: FakeKnowledgeBase
) -> None:
    kb.add("password", Tier.CONFIDENT, hit("password-reset", "Resetting your password", "Click."))
    await ask(seeded, clock, "alice", "How do I reset my password?")
    await ask(seeded, clock, "wang", "发票在哪里？")
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = await client.get("/console/knowledge/deflection", headers={"accept-language": "zh"})
        assert page.status_code == 200 and "自助解决率" in page.text
        assert "<svg" in page.text and "2026-W10" in page.text
