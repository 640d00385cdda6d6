"""Answers through the real engine: cited answers, 'did you mean' choices, honest abstentions."""

from __future__ import annotations

from pathlib import Path

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.protocols import Tier
from bot.core.settings import Settings
from tests.support.helpers import console_message
from tests.support.kb import build, open_kb, write_kb


async def _app(settings: Settings, clock: FakeClock, tmp: Path, **thresholds: float) -> App:
    kb_dir, out = write_kb(tmp / "kb"), tmp / "index"
    build(kb_dir, out)
    app = await build_app(settings, clock=clock, kb=open_kb(kb_dir, out, **thresholds))
    await app.directory.add_client("Acme Corp", "ACME")
    await app.directory.add_contact("ACME", "alice", "Alice Martin", lang="en")
    await app.directory.add_contact("ACME", "wang", "王伟", lang="zh")
    await app.directory.link("ACME", "alice", "console", "alice")
    await app.directory.link("ACME", "wang", "console", "wang")
    return app


async def test_confident_answer_cites_title_section_and_link(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = await _app(settings, clock, tmp_path)
    try:
        [reply] = await app.engine.handle(console_message(clock, "I forgot my password"))
    finally:
        await app.close()
    assert reply.kind == "faq_answer"
    assert reply.text.startswith('Open the login page and click "Forgot password"')
    [citation] = reply.citations
    assert (citation.title, citation.section) == ("Resetting your password", "Steps")
    assert citation.source == "https://docs.example.com/password"


async def test_chinese_question_gets_the_chinese_version(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = await _app(settings, clock, tmp_path)
    try:
        [reply] = await app.engine.handle(console_message(clock, "我忘记密码了怎么办", user="wang"))
        [english] = await app.engine.handle(
            console_message(clock, "What are your opening hours?", user="wang")
        )
    finally:
        await app.close()
    assert reply.kind == "faq_answer"
    assert "忘记密码" in reply.text
    assert reply.citations[0].title == "重置密码"
    assert reply.citations[0].source.endswith("password-reset.zh.md:11")
    assert english.citations[0].title == "Support hours"


async def test_unsure_offers_choices_and_a_click_answers(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = await _app(settings, clock, tmp_path, answer=5.0, suggest=0.3)
    try:
        [choices] = await app.engine.handle(console_message(clock, "password email link"))
        assert choices.kind == "faq_choices"
        payloads = [b.payload for b in choices.buttons]
        assert payloads[0] == "kb:password-reset"
        assert payloads[-1] == "kb:-"
        [answer] = await app.engine.handle(
            console_message(clock, "", payload="kb:password-reset", message_id="click-1")
        )
    finally:
        await app.close()
    assert answer.kind == "faq_answer"
    assert answer.citations[0].title == "Resetting your password"
    assert answer.citations[0].section in {"Steps", "If the email does not arrive"}


async def test_unknown_question_gets_dont_know_with_ticket_and_person(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = await _app(settings, clock, tmp_path)
    try:
        [reply] = await app.engine.handle(
            console_message(clock, "What is the boiling point of mercury in Kelvin?")
        )
    finally:
        await app.close()
    assert reply.kind == "faq_abstain"
    assert [b.payload for b in reply.buttons] == ["ticket:new", "human:request"]


async def test_tiers_follow_the_thresholds(tmp_path: Path) -> None:
    kb_dir, out = write_kb(tmp_path / "kb"), tmp_path / "index"
    build(kb_dir, out)
    score = (await open_kb(kb_dir, out).lookup("support on saturday", "en")).hits[0].score
    for answer, suggest, tier in [
        (score, score - 0.1, Tier.CONFIDENT),
        (score + 0.01, score, Tier.UNSURE),
        (score + 0.02, score + 0.01, Tier.LOW),
    ]:
        result = await open_kb(kb_dir, out, answer, suggest).lookup("support on saturday", "en")
        assert result.tier is tier
        assert result.hits[0].article_id == "support-hours"


SLA_ARTICLES = {
    "sla/targets.en.md": """---
id: sla-targets
title: SLA targets
lang: en
---
Targets depend on your tier.

## Gold tier SLA targets
P1: 30 minutes first response, 4 hours resolution.

## Silver tier SLA targets
P1: 1 hour first response, 8 hours resolution.

## How the SLA clock works
The clock runs in business hours, except for P1 tickets which run around the clock.
""",
    "sla/targets.zh.md": """---
id: sla-targets
title: SLA 时限
lang: zh
---
时限取决于服务等级。

## 金牌服务 SLA 时限
P1：首次响应 30 分钟，解决 4 小时。

## 银牌服务 SLA 时限
P1：首次响应 1 小时，解决 8 小时。

## SLA 计时方式
按工作时间计时，P1 工单全天候计时。
""",
}


async def test_a_linked_client_gets_the_section_for_their_tier_and_their_own_figures(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    kb_dir, out = write_kb(tmp_path / "kb", SLA_ARTICLES), tmp_path / "index"
    build(kb_dir, out)
    app = await build_app(settings, clock=clock, kb=open_kb(kb_dir, out, answer=0.3, suggest=0.2))
    try:
        await app.directory.add_client("Acme Corp", "ACME")
        await app.directory.add_project(
            "ACME", "Acme Portal", clock.now().date(), 12, "silver", "UTC"
        )
        await app.directory.add_contact("ACME", "alice", "Alice Martin", lang="en")
        await app.directory.add_contact("ACME", "wang", "王伟", lang="zh")
        await app.directory.link("ACME", "alice", "console", "alice")
        await app.directory.link("ACME", "wang", "console", "wang")
        question = "What are the SLA targets for a P1?"
        [mine] = await app.engine.handle(console_message(clock, question))
        [gold] = await app.engine.handle(console_message(clock, "What are the gold SLA targets?"))
        [zh] = await app.engine.handle(
            console_message(clock, "P1 的 SLA 时限是多少？", user="wang")
        )
        [guest] = await app.engine.handle(console_message(clock, question, user="stranger"))
    finally:
        await app.close()
    assert mine.citations[0].section == "Silver tier SLA targets"
    assert mine.text.startswith("P1: 1 hour first response, 8 hours resolution.")
    assert mine.text.endswith(
        "Your project Acme Portal is on the silver tier: P1 1h / 8h, P2 2h / 18h, "
        "P3 8h / 45h, P4 18h / 135h (first response / resolution, in working hours; "
        "P1 around the clock)."
    )
    assert gold.citations[0].section == "Gold tier SLA targets"  # asked for another tier
    assert zh.citations[0].section == "银牌服务 SLA 时限"
    assert "您的项目 Acme Portal 为 silver 级服务" in zh.text
    assert "Your project" not in guest.text  # not linked: the article as it is
