"""Telegram rendering and translation without a network: escaping, splitting, addressing."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from telegram import Message

from adapters.telegram.markup import LIMIT, chosen, escape, length, render, split
from adapters.telegram.translate import BotIdentity, from_message
from bot.core.messages import Citation, Reply
from tests.support.telegram import BOT, group_text, private_text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = BotIdentity(int(BOT["id"]), str(BOT["username"]))


def _message(update: dict[str, object]) -> Message:
    message = Message.de_json(update["message"], None)  # type: ignore[arg-type]
    assert message is not None
    return message


def test_user_text_cannot_add_markup() -> None:
    assert (
        escape("<b>bold</b> & <a href='x'>") == "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href='x'&gt;"
    )


def test_citation_link_is_escaped_and_plain_sources_are_not_links() -> None:
    reply = Reply(
        "Answer",
        citations=(
            Citation("Docs", "Install", 'https://x.example/a?b=1&c="2"'),
            Citation("Local", "", "knowledge/a.en.md"),
        ),
    )
    [html] = render(reply)
    assert '<a href="https://x.example/a?b=1&amp;c=&quot;2&quot;">Docs › Install</a>' in html
    assert "Local</i>" in html and "knowledge/a.en.md" not in html


def test_split_counts_utf16_like_telegram() -> None:
    text = "😀" * 3000  # 6000 UTF-16 code units, no spaces: cut anywhere
    pieces = split(text)
    assert [length(p) for p in pieces] == [4096, 1904]
    assert "".join(pieces) == text


def test_split_prefers_line_breaks_then_spaces() -> None:
    text = ("word " * 500 + "\n") * 3
    pieces = split(text)
    assert all(length(p) <= LIMIT for p in pieces)
    assert all(p.endswith("word") for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_chosen_note_only_when_it_fits() -> None:
    assert (
        chosen("Pick &lt;one&gt;", 10, "A<B", "Alice")
        == "Pick &lt;one&gt;\n\n<i>✓ Alice chose A&lt;B</i>"
    )
    assert chosen("x", LIMIT - 5, "Yes", "Alice") is None


def test_private_text_and_ask_command() -> None:
    message = from_message(_message(private_text("/ask how do I restore a backup?")), ME, NOW)
    assert message is not None and not message.group
    assert message.text == "how do I restore a backup?"
    assert message.platform_message_id.startswith("message:1001:")  # type: ignore[union-attr]


def test_group_addressing() -> None:
    def seen(text: str) -> str | None:
        message = from_message(_message(group_text(text)), ME, NOW)
        return message.text if message is not None else None

    assert seen("just chatting") is None
    assert seen("/help@some_other_bot") is None
    assert seen("/status@AfterCare_Test_Bot ACME-4") == "/status@AfterCare_Test_Bot ACME-4"
    assert seen(f"hey @{BOT['username']} when is support open?") == "hey when is support open?"


def test_forum_topic_is_its_own_thread() -> None:
    update = group_text(f"@{BOT['username']} hi")
    update["message"].update(is_topic_message=True, message_thread_id=42)  # type: ignore[attr-defined]
    message = from_message(_message(update), ME, NOW)
    assert message is not None and message.thread_id == "42" and message.group


def test_many_long_citations_stay_within_the_limit() -> None:
    citations = tuple(
        Citation("T" * 3000 + str(n), "S", f"https://docs.example.com/{n}") for n in range(4)
    )
    messages = render(Reply("Answer " * 500, citations=citations))
    assert len(messages) > 2
    assert all(length(_text(m)) <= LIMIT for m in messages)


def test_lone_surrogates_are_counted_not_fatal() -> None:
    text = "\ud800" * 5000  # what a JSON "\ud800" escape decodes to
    assert [length(p) for p in split(text)] == [4096, 904]


def _text(html_message: str) -> str:
    """The visible text of an HTML message (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_message))


def test_a_hyperlinked_word_becomes_label_and_url() -> None:
    update = private_text("read 😀 the guide, then ask Bob")
    # Offsets count UTF-16 units: the emoji is two.
    update["message"]["entities"] = [  # type: ignore[index]
        {"type": "text_link", "offset": 8, "length": 9, "url": "https://docs.example.com/g"},
        {"type": "bold", "offset": 0, "length": 4},
        {
            "type": "text_mention",
            "offset": 28,
            "length": 3,
            "user": {"id": 1002, "is_bot": False, "first_name": "Bob"},
        },
    ]
    message = from_message(_message(update), ME, NOW)
    assert message is not None
    assert message.text == "read 😀 the guide (https://docs.example.com/g), then ask Bob"


def test_a_caption_link_and_a_link_to_itself() -> None:
    update = private_text("")
    del update["message"]["text"]  # type: ignore[attr-defined]
    update["message"].update(  # type: ignore[attr-defined]
        caption="see https://x.example now",
        caption_entities=[
            {"type": "text_link", "offset": 4, "length": 17, "url": "https://x.example"}
        ],
    )
    message = from_message(_message(update), ME, NOW)
    assert message is not None and message.text == "see https://x.example now"
