"""Plain-text ticket requests are recognised conservatively: questions stay with the FAQ."""

from __future__ import annotations

import pytest

from bot.features.tickets.chat import looks_like_report, looks_like_symptom
from bot.features.tickets.flow import similarity


@pytest.mark.parametrize(
    "text",
    [
        "I want to report a bug",
        "I'd like to open a ticket",
        "Can I open a ticket?",
        "report a problem",
        "我要报告一个问题",
        "帮我提交工单",
        "报修",
    ],
)
def test_explicit_requests(text: str) -> None:
    assert looks_like_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "the export is broken",
        "Login doesn't work since the upgrade",
        "the site is down",
        "导出功能坏了",
        "系统无法登录",
        "页面报错",
    ],
)
def test_stated_symptoms(text: str) -> None:
    assert looks_like_symptom(text) and not looks_like_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "How do I fix a broken export?",
        "is the export broken?",
        "what is the warranty period",
        "Why doesn't login work with SSO",
        "导出报错了怎么办",
        "系统无法登录吗？",
        "how long is support",
        "我们的项目什么时候升级",
        "How do I report an incident?",
        "where do I open a ticket",
        "What should I include when I report a bug?",
        "如何提交工单？",
        "怎么报告一个问题",
    ],
)
def test_questions_and_chatter_are_left_to_the_faq(text: str) -> None:
    assert not looks_like_report(text) and not looks_like_symptom(text)


def test_similarity_ignores_case_spacing_and_punctuation() -> None:
    assert similarity("CSV export fails!", "csv  export fails") == 1.0
    assert similarity("导出失败。", "导出 失败") == 1.0
    assert similarity("CSV export fails", "Login page is slow") < 0.5
    assert similarity("", "anything") == 0.0
