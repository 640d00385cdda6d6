"""Knowledge-base files: valid articles parse into sections; bad ones fail naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeBaseError
from indexer.content import read_faq_jsonl, read_kb
from tests.kb_helpers import ARTICLES, write_kb

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
        ("no front matter\n## A\ntext\n", ":1:", "missing front matter"),
        (GOOD.replace("lang: en", "lang: [en"), ":5:", "bad front matter"),
        (GOOD.replace("category: support\n", ""), ":1:", "missing category"),
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
