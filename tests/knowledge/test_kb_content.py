"""Knowledge-base files: valid articles parse into sections; bad ones fail naming file and line;
the starter KB covers the issue's topics in both languages and states the policy's numbers."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.directory import DEFAULT_WARRANTY_MONTHS
from bot.core.errors import KnowledgeBaseError
from bot.core.i18n import detect_lang
from bot.core.settings import Settings
from bot.features.escalation.promise import HANDOFF_SEVERITY
from bot.features.surveys.service import CSAT, NPS, SCALES
from bot.features.tickets.policies import SEVERITIES, load_policies
from bot.features.tickets.service import REOPEN_WINDOW
from bot.knowledge.articles import Article
from indexer.content import read_faq_jsonl, read_kb
from tests.support.helpers import console_message
from tests.support.kb import ARTICLES, write_kb

GOOD = ARTICLES["support/support-hours.en.md"]


def test_sections_and_front_matter_are_parsed(tmp_path: Path) -> None:
    units = read_kb(write_kb(tmp_path))
    article = next(
        a for u in units for a in u.articles if a.id == "password-reset" and a.lang == "en"
    )
    assert [s.heading for s in article.sections] == [
        "Resetting your password",
        "Steps",
        "If the email does not arrive",
    ]
    assert article.sections[1].line == 15
    assert article.questions[0] == "How do I reset my password?"
    assert article.links == ("https://docs.example.com/password",)
    assert {u.name for u in units} == set(ARTICLES)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("---\nid: x\n## A\ntext\n", ":1:", "front matter is not closed"),
        (GOOD.replace("lang: en", "lang: [en"), ":5:", "bad front matter"),
        (GOOD.replace("title: Support hours\n", ""), ":1:", "missing title"),
        (GOOD.replace("lang: en", "lang: fr"), ":4:", "lang must be en or zh"),
        (GOOD.replace("lang: en", "lang: zh"), ":4:", "file name says 'en'"),
        (GOOD.split("## Hours")[0], ":10:", "empty article"),
        (GOOD.replace("## Hours\n", "## Empty\n\n## Hours\n"), ":11:", "section 'Empty' is empty"),
    ],
)
def test_bad_files_are_rejected_with_file_and_line(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    (tmp_path / "topic.en.md").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        read_kb(tmp_path)
    message = str(caught.value)
    assert f"topic.en.md{where}" in message
    assert what in message


def test_duplicate_id_in_one_language_names_both_files(tmp_path: Path) -> None:
    write_kb(tmp_path)
    (tmp_path / "copy.en.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        read_kb(tmp_path)
    message = str(caught.value)
    assert "duplicate id 'support-hours'" in message
    assert "support/support-hours.en.md:2: duplicate id" in message
    assert message.endswith("also in " + str(tmp_path / "copy.en.md"))


def test_faq_jsonl_entries_become_articles(tmp_path: Path) -> None:
    faq = tmp_path / "faq.jsonl"
    faq.write_text(
        '{"id": "hours", "question": "when are you open", "answer": "", "paraphrases": ["opening hours"]}\n'
        '{"id": "zh-hours", "question": "几点上班", "answer": "九点", "paraphrases": []}\n',
        encoding="utf-8",
    )
    first, second = (u.articles[0] for u in read_faq_jsonl(faq))
    assert (first.lang, first.sections, first.questions) == ("en", (), ("opening hours",))
    assert (second.lang, second.sections[0].text) == ("zh", "九点")
    faq.write_text('{"question": "no id"}\n', encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"faq.jsonl:1: bad FAQ entry"):
        read_faq_jsonl(faq)


# --- The starter knowledge base in knowledge/: complete, bilingual, and true to the policy ---

KB_DIR = Path(__file__).resolve().parents[2] / "knowledge"
LANGS = ("en", "zh")
TIER_NAMES = {
    "gold": ("Gold tier", "金牌"),
    "silver": ("Silver tier", "银牌"),
    "bronze": ("Bronze tier", "铜牌"),
}
# The issue's topic list: each topic is a category of its own and names articles it must hold.
TOPICS = {
    "acceptance and handover": ("acceptance", {"acceptance-sign-off", "handover-meeting"}),
    "training": ("training", {"training-courses", "training-materials"}),
    "maintenance": ("maintenance", {"report-incident", "backup-restore"}),
    "upgrades": ("upgrades", {"feature-upgrades", "security-patches"}),
    "knowledge transfer": ("knowledge-transfer", {"admin-handbook", "technical-documentation"}),
    "support channels and hours": ("support", {"support-channels", "support-hours"}),
    "SLA and warranty": ("sla-warranty", {"sla-targets", "warranty-period", "warranty-coverage"}),
    "feedback and surveys": ("feedback", {"csat-survey", "nps-survey", "check-ins"}),
    "risks and escalation": ("risk-escalation", {"escalate-to-manager", "emergencies"}),
}


@functools.cache
def starter() -> dict[tuple[str, str], Article]:
    return {(a.id, a.lang): a for unit in read_kb(KB_DIR) for a in unit.articles}


def body(article: Article) -> str:
    return "\n".join([article.title, *(f"{s.heading}\n{s.text}" for s in article.sections)])


def texts(lang: str) -> dict[str, str]:
    return {a.source: body(a) for (_, version), a in starter().items() if version == lang}


def default(name: str) -> object:
    return Settings.model_fields[name].default


def days(name: str) -> tuple[float, ...]:
    return tuple(float(d) for d in str(default(name)).split(","))


def test_every_topic_has_an_english_and_a_chinese_article() -> None:
    langs: dict[str, set[str]] = {}
    for article_id, lang in starter():
        langs.setdefault(article_id, set()).add(lang)
    assert {a: found for a, found in langs.items() if found != set(LANGS)} == {}
    assert len(starter()) >= 60


def test_every_article_has_three_example_questions_in_its_own_language() -> None:
    few = {f"{a.id}.{a.lang}": len(a.questions) for a in starter().values() if len(a.questions) < 3}
    assert few == {}
    for article in starter().values():
        for question in article.questions:
            assert detect_lang(question) == article.lang, (article.source, question)


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_the_issue_topics_are_covered(topic: str) -> None:
    category, needed = TOPICS[topic]
    held = {a.id for a in starter().values() if a.category == category}
    assert needed <= held, f"{topic}: missing {needed - held}"
    assert len(held) >= 3


def _hours(amount: str, unit: str, day: float) -> float:
    value = float(amount)
    if unit.startswith(("minute", "分钟")):
        return value / 60
    if unit.endswith(("day", "days", "工作日")):
        return value * day
    return value


DURATION = {
    "en": re.compile(r"(\d+(?:\.\d+)?) (minutes?|business hours?|hours?|business days?)"),
    "zh": re.compile(r"(\d+(?:\.\d+)?) ?(分钟|个工作小时|小时|个工作日)"),
}


def _calendar_day(tier: str) -> float:
    calendar = load_policies().calendar_for(tier, "P2")
    start, end = (datetime.combine(date.min, t) for t in (calendar.start, calendar.end))
    return (end - start) / timedelta(hours=1)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tier", sorted(TIER_NAMES))
def test_sla_targets_in_the_articles_match_the_policy_file(tier: str, lang: str) -> None:
    """Each tier's P1–P4 line, `first response / resolution`, equals sla_policies.yaml
    (a business day is one working day of the tier's calendar)."""
    policies = load_policies()
    article = starter()[("sla-targets", lang)]
    name = TIER_NAMES[tier][LANGS.index(lang)]
    section = next(s for s in article.sections if name in s.heading)
    stated: dict[str, tuple[float, float]] = {}
    for line in section.text.splitlines():
        matched = re.match(r"- (P[1-4])[:：]\s*(.+?) / (.+?)(?:[，,]|$)", line)
        if matched:
            severity, first, resolution = matched.groups()
            hours = tuple(
                _hours(*DURATION[lang].fullmatch(part.strip()).groups(), _calendar_day(tier))
                for part in (first, resolution)
            )
            stated[severity] = (hours[0], hours[1])
    expected = {
        severity: (t.first_response / timedelta(hours=1), t.resolution / timedelta(hours=1))
        for severity in SEVERITIES
        for t in [policies.targets(tier, severity)]
    }
    assert stated == expected


@pytest.mark.parametrize("lang", LANGS)
def test_a_person_answers_within_the_handoff_target_the_article_states(lang: str) -> None:
    policies = load_policies()
    text = body(starter()[("talk-to-human", lang)])
    pattern = (
        r"(\d+ (?:business )?hours?) on (gold|silver|bronze)"
        if lang == "en"
        else r"(金牌|银牌|铜牌) ?(\d+ ?(?:个工作小时|小时|分钟))"
    )
    stated = {}
    for found in re.findall(pattern, text):
        amount, tier = found if lang == "en" else (found[1], found[0])
        if lang == "zh":
            tier = next(t for t, names in TIER_NAMES.items() if names[1] == tier)
        number, unit = DURATION[lang].fullmatch(amount).groups()
        stated[tier] = _hours(number, unit, _calendar_day(tier))
    assert stated == {
        tier: policies.targets(tier, HANDOFF_SEVERITY).first_response / timedelta(hours=1)
        for tier in TIER_NAMES
    }


def _facts() -> list[tuple[str, str, str, tuple[float, ...]]]:
    """(what, lang, pattern, expected): every match of the pattern in every article of that
    language must read `expected`, and there must be at least one."""
    calendar = load_policies().calendar_for("silver", "P2")
    hours = (calendar.start.hour, calendar.end.hour)
    reopen = (REOPEN_WINDOW / timedelta(days=1),)
    checkins = days("followup_checkin_days")
    notices = days("warranty_notice_days")
    csat_delay = (float(default("survey_csat_delay_hours")),)
    remind = (float(default("survey_reminder_hours")),)
    cooldown = (float(default("survey_cooldown_days")),)
    nps_first = (float(default("survey_nps_first_days")),)
    nps_every = (float(default("survey_nps_every_days")),)
    waiting = (float(default("waiting_reminder_days")), float(default("waiting_autoclose_days")))
    warranty = (float(DEFAULT_WARRANTY_MONTHS),)
    csat_scale = (float(SCALES[CSAT][0]), float(SCALES[CSAT][-1]))
    nps_scale = (float(SCALES[NPS][0]), float(SCALES[NPS][-1]))
    return [
        ("business hours", "en", r"Monday to Friday,? (\d\d):00-(\d\d):00", hours),
        ("business hours", "zh", r"周一至周五 ?(\d\d):00-(\d\d):00", hours),
        ("reopen window", "en", r"within (\d+) days of (?:its|their) resolution", reopen),
        ("reopen window", "en", r"reopens a resolved ticket within (\d+) days", reopen),
        ("reopen window", "en", r"more than (\d+) days have passed since resolution", reopen),
        ("reopen window", "zh", r"解决后 ?(\d+) ?天内", reopen),
        ("reopen window", "zh", r"在 ?(\d+) ?天内重新打开", reopen),
        ("check-ins", "en", r"checks in with you at (\d+), (\d+) and (\d+) days", checkins),
        ("check-ins", "zh", r"第 ?(\d+) ?天、第 ?(\d+) ?天和第 ?(\d+) ?天", checkins),
        ("warranty length", "en", r"warranty runs for (\d+) months", warranty),
        ("warranty length", "zh", r"质保期默认为 ?(\d+) ?个月", warranty),
        ("warranty from acceptance", "en", r"the (\d+) months run from the acceptance", warranty),
        ("warranty from acceptance", "zh", r"使 ?(\d+) ?个月从验收日期起算", warranty),
        ("any warranty length", "en", r"(\d+) months", warranty),
        ("any warranty length", "zh", r"(\d+) ?个月", warranty),
        ("warranty notices", "en", r"(\d+) days and again (\d+) days before the warranty", notices),
        ("warranty notices", "zh", r"质保到期前 ?(\d+) ?天和 ?(\d+) ?天", notices),
        (
            "waiting on client",
            "en",
            r"reminds you after (\d+) days and closes the ticket after (\d+) days",
            waiting,
        ),
        ("waiting on client", "zh", r"(\d+) ?天后提醒您，(\d+) ?天后关闭工单", waiting),
        ("CSAT delay", "en", r"(\d+) hours after a ticket is resolved", csat_delay),
        ("CSAT delay", "zh", r"工单解决 ?(\d+) ?小时后", csat_delay),
        ("survey reminder", "en", r"one reminder (\d+) hours later", remind),
        ("survey reminder", "zh", r"会在 ?(\d+) ?小时后提醒一次", remind),
        ("survey cooldown", "en", r"CSAT survey within (\d+) days of their last survey", cooldown),
        ("survey cooldown", "zh", r"距上次调查不满 ?(\d+) ?天", cooldown),
        ("CSAT scale", "en", r"scale from (\d+) \(very dissatisfied\) to (\d+)", csat_scale),
        ("CSAT scale", "zh", r"用 ?(\d+) ?分（非常不满意）到 ?(\d+) ?分", csat_scale),
        ("NPS scale", "en", r"on a scale from (\d+) to (\d+)", nps_scale),
        ("NPS scale", "zh", r"用 ?(\d+) ?到 ?(\d+) ?分表示", nps_scale),
        ("NPS first round", "en", r"first NPS survey is sent (\d+) days after delivery", nps_first),
        ("NPS first round", "zh", r"第一次 NPS 调查在交付后第 ?(\d+) ?天", nps_first),
        ("NPS rounds", "en", r"then every (\d+) days", nps_every),
        ("NPS rounds", "zh", r"每 ?(\d+) ?天发送一次", nps_every),
    ]


@pytest.mark.parametrize(
    ("what", "lang", "pattern", "expected"),
    _facts(),
    ids=[f"{what}-{lang}-{n}" for n, (what, lang, _, _) in enumerate(_facts())],
)
def test_articles_state_the_policy_defaults(
    what: str, lang: str, pattern: str, expected: tuple[float, ...]
) -> None:
    found = {
        source: [tuple(float(g) for g in (m if isinstance(m, tuple) else (m,))) for m in hits]
        for source, text in texts(lang).items()
        if (hits := re.findall(pattern, text))
    }
    assert found, f"no {lang} article states the {what}"
    wrong = {s: hits for s, hits in found.items() if any(h != expected for h in hits)}
    assert wrong == {}, f"{what}: policy says {expected}"


async def test_every_command_an_article_names_is_one_the_bot_knows(
    seeded: App, clock: FakeClock
) -> None:
    named = {
        command
        for article in starter().values()
        for text in (body(article), *article.questions)
        for command in re.findall(r"(?<![A-Za-z0-9/:.])/([a-z]+)\b", text)
    }
    assert {"ticket", "human", "status", "reopen", "project", "suggest"} <= named
    for n, command in enumerate(sorted(named)):
        # A user each, so one command's state (a form, a handoff) never answers for the next.
        replies = await seeded.engine.handle(console_message(clock, f"/{command}", f"reader{n}"))
        assert replies, command
        assert not any("I don't know the command" in r.text for r in replies), command


def test_a_markdown_document_opening_with_a_rule_is_a_document(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(
        "---\n\nRelease notes for the portal.\n\n---\n\n## Version 2\n\nFaster search.\n",
        encoding="utf-8",
    )
    [unit] = read_kb(tmp_path)
    [article] = unit.articles
    assert article.id == "notes"
    assert [s.trail for s in article.sections][-1] == "Version 2"
