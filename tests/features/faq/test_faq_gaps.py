"""Knowledge gaps: which client questions are gaps, how they group and rank, drafts written
from them and approved, on every database (the engine answers from a fake knowledge base)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import KnowledgeBaseError, NotFoundError
from bot.core.protocols import Tier
from bot.core.settings import Settings
from bot.features.faq.desk import KnowledgeDesk
from bot.features.faq.gaps import GapQuestion, cluster, gap_questions
from bot.features.faq.models import GapMark
from tests.features.faq.support import ask, fake_embed
from tests.support.fakes import FakeKnowledgeBase, hit


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.kb_dir = tmp_path / "kb"
    return settings


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    kb = FakeKnowledgeBase()
    kb.add("password", Tier.CONFIDENT, hit("password-reset", "Resetting your password", "Click."))
    kb.add("vpn", Tier.UNSURE, hit("network", "Network", "…"), hit("remote", "Remote", "…"))
    kb.add("printer", Tier.CONFIDENT, hit("printing", "Printing", "Print.", score=0.5))
    return kb  # anything else: LOW, "I don't know"


class FakeReindexer:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.checked: list[Path] = []
        self.runs = 0

    def check(self, paths: Sequence[Path]) -> None:
        self.checked.extend(paths)

    async def reindex(self) -> list[str]:
        self.runs += 1
        if self.fail:
            raise KnowledgeBaseError("the build failed")
        return ["indexed", "published"]


def desk(app: App, reindexer: FakeReindexer | None = None) -> KnowledgeDesk:
    return KnowledgeDesk(
        app.db, app.clock, app.settings.kb_dir, reindexer or FakeReindexer(), answer_threshold=0.56
    )


async def _globex(app: App) -> None:
    await app.directory.add_client("Globex", "GLOBEX")
    await app.directory.add_contact("GLOBEX", "li", "Li Na", lang="zh")
    await app.directory.link("GLOBEX", "li", "console", "li")


async def _open_gaps(app: App) -> list[GapQuestion]:
    async with app.db.session() as session:
        return await gap_questions(session, answer_threshold=0.56)


async def test_gaps_are_abstentions_choices_and_weak_answers(seeded: App, clock: FakeClock) -> None:
    await ask(seeded, clock, "alice", "How do I reset my password?")  # answered: no gap
    await ask(seeded, clock, "alice", "Can I get my invoice as a PDF?")  # I don't know
    await ask(seeded, clock, "alice", "Is there a VPN for remote staff?")  # did you mean
    await ask(seeded, clock, "alice", "x", payload="kb:network")  # a click: not a question
    await ask(seeded, clock, "wang", "printer 怎么设置？")  # answered at 0.5 < 0.56
    await ask(seeded, clock, "wang", "/help")  # not the FAQ's

    found = await _open_gaps(seeded)
    assert [(q.text, q.reply) for q in found] == [
        ("Can I get my invoice as a PDF?", "faq_abstain"),
        ("Is there a VPN for remote staff?", "faq_choices"),
        ("printer 怎么设置？", "faq_answer"),
    ]
    first, _, weak = found
    assert (first.client_name, first.contact, first.lang) == ("Acme Corp", "Alice Martin", "en")
    assert (weak.contact, weak.lang) == ("王伟", "zh")
    assert first.asked_at == datetime(2026, 3, 2, 9, 2, tzinfo=UTC)
    assert first.conversation_id != weak.conversation_id  # alice's chat and wang's

    async with seeded.db.session() as session:
        without_scores = await gap_questions(session, answer_threshold=None)
    assert [q.text for q in without_scores] == [q.text for q in found[:2]]

    await desk(seeded).dismiss([first.message_id])
    assert [q.text for q in await _open_gaps(seeded)] == [q.text for q in found[1:]]
    with pytest.raises(NotFoundError):
        await desk(seeded).dismiss([999_999])


def _question(
    message_id: int, text: str, asker: str, minutes: int, lang: str = "en"
) -> GapQuestion:
    return GapQuestion(
        message_id=message_id,
        conversation_id=1,
        text=text,
        asked_at=datetime(2026, 3, 2, tzinfo=UTC) + timedelta(minutes=minutes),
        lang="zh" if lang == "zh" else "en",
        reply="faq_abstain",
        client_id=None,
        client_name=None,
        contact=asker,
        asker=asker,
    )


def test_clusters_group_by_meaning_and_rank_by_clients_then_questions_then_recency() -> None:
    questions = [
        _question(1, "Where is my invoice?", "a", 1),
        _question(2, "vpn not working", "a", 2),
        _question(3, "invoice as PDF please", "a", 3),
        _question(4, "VPN down again", "b", 4),
        _question(5, "发票在哪里下载？", "b", 5, "zh"),
        _question(6, "printer jams", "c", 6),
        _question(7, "holiday opening hours", "d", 7),
        _question(8, "invoice missing", "c", 8),
        _question(9, "printer offline", "c", 9),
        _question(10, "printer again", "c", 10),
    ]
    found = cluster(questions, fake_embed)
    assert [(c.id, c.clients, len(c.questions)) for c in found] == [
        (1, 3, 4),  # invoices: a, b, c
        (2, 2, 2),  # vpn: a, b
        (6, 1, 3),  # printer: one client, three questions
        (7, 1, 1),  # holiday: one client, one question
    ]
    invoices = found[0]
    assert invoices.message_ids == (1, 3, 5, 8)
    assert invoices.languages == ("en", "zh")
    assert invoices.last_asked == questions[7].asked_at
    assert invoices.question in {q.text for q in invoices.questions}
    # With one client and one question each, the most recent comes first.
    tied = cluster([_question(1, "vpn?", "a", 1), _question(2, "printer?", "b", 9)], fake_embed)
    assert [c.id for c in tied] == [2, 1]
    assert cluster([], fake_embed) == []


def test_clustering_thousands_of_questions() -> None:
    words = ("invoice", "vpn", "printer", "holiday")
    questions = [
        _question(i, f"{words[i % 4]} question {i}", f"client-{i % 97}", i) for i in range(3000)
    ]
    found = cluster(questions, fake_embed)
    assert sorted(len(c.questions) for c in found) == [750, 750, 750, 750]
    assert all(c.clients == 97 for c in found)


async def test_a_draft_from_a_gap_lists_its_questions_and_approval_closes_it(
    seeded: App, clock: FakeClock, settings: Settings
) -> None:
    await _globex(seeded)
    await ask(seeded, clock, "alice", "Can I get my invoice as a PDF?")
    await ask(seeded, clock, "alice", "How do I reset my password?")
    await ask(seeded, clock, "li", "发票可以导出 PDF 吗？")
    await ask(seeded, clock, "wang", "Is there a VPN for remote staff?")
    reindexer = FakeReindexer()
    staff = desk(seeded, reindexer)

    gaps = await staff.gaps(fake_embed)
    assert [(g.clients, len(g.questions)) for g in gaps] == [(2, 2), (1, 1)]
    invoices = gaps[0]
    draft = await staff.draft_cluster(invoices, "Billing › Export › PDF.", title="Invoices as PDF")
    assert draft.id == f"gap-{invoices.id}"
    text = draft.path.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---")[1])
    assert meta["title"] == "Invoices as PDF"
    assert meta["questions"] == [
        "Invoices as PDF",
        "Can I get my invoice as a PDF?",
        "发票可以导出 PDF 吗？",
    ]
    assert text.rstrip().endswith("Billing › Export › PDF.")
    assert [g.id for g in await staff.gaps(fake_embed)] == [gaps[1].id]  # drafted: off the list

    done = await staff.approve(draft.id)
    assert done.closed == 2 and done.reindexed == ("indexed", "published")
    assert reindexer.checked == [draft.path]
    assert [p.parent.name for p in done.moved] == ["support"]
    async with seeded.db.session() as session:
        marks = (await session.scalars(select(GapMark).order_by(GapMark.message_id))).all()
    assert [(m.message_id, m.state, m.draft_id) for m in marks] == [
        (m, "closed", draft.id) for m in invoices.message_ids
    ]


async def test_a_failed_rebuild_puts_the_draft_back(seeded: App, clock: FakeClock) -> None:
    await ask(seeded, clock, "alice", "Can I get my invoice as a PDF?")
    staff = desk(seeded, FakeReindexer(fail=True))
    [gap] = await staff.gaps(fake_embed)
    draft = await staff.draft_cluster(gap, "Billing › Export › PDF.")
    with pytest.raises(KnowledgeBaseError):
        await staff.approve(draft.id)
    assert draft.path.is_file()
    assert not (seeded.settings.kb_dir / "support").exists() or not list(
        (seeded.settings.kb_dir / "support").iterdir()
    )
    async with seeded.db.session() as session:
        assert [m.state for m in await session.scalars(select(GapMark))] == ["drafted"]
    with pytest.raises(NotFoundError):
        await staff.cluster_by_id(fake_embed, gap.id)
