"""Reply → Slack messages without a network: escaping everywhere, long text in sections and
messages, and the one posting path (SlackSender) that sends all of them."""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.blocks import (
    SECTION_LIMIT,
    SECTIONS_PER_MESSAGE,
    chosen,
    render,
    render_messages,
    split,
    unescape,
)
from adapters.slack.sender import SlackSender, thread_key_of
from bot.app import App
from bot.core.messages import Address, Button, Citation, Reply
from bot.features.tickets.staff import staff_buttons

EVIL = "<!channel> <https://evil.example|verify here>"


def _sections(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def _shown(reply: Reply) -> str:
    """What a reader sees of every message, pieces joined by the whitespace they were cut at."""
    return "\n".join(unescape(s) for m in render_messages(reply) for s in _sections(m.blocks))


def test_a_title_cannot_mention_the_channel_or_disguise_a_link() -> None:
    reply = Reply(
        f"New ticket ACME-9 (P2): {EVIL}",
        buttons=(Button(EVIL, "staff:ack:ACME-9"),),
        citations=(Citation(EVIL, "", "https://docs.example.com/a?b=1&c=2"),),
    )
    [message] = render_messages(reply)
    escaped = "&lt;!channel&gt; &lt;https://evil.example|verify here&gt;"
    assert message.text == f"New ticket ACME-9 (P2): {escaped}"
    assert _sections(message.blocks) == [message.text]
    context = message.blocks[1]["elements"][0]["text"]
    assert context == f"Source: <https://docs.example.com/a?b=1&amp;c=2|{escaped}>"
    label = message.blocks[2]["elements"][0]["text"]["text"]
    assert "<" not in label and label.startswith("&lt;!channel&gt;")
    everything = [message.text, *_sections(message.blocks), label]
    assert not any(re.search(r"<!|<https://evil", t) for t in everything)


def test_twenty_tickets_are_all_shown() -> None:
    lines = ["Your organisation's open tickets:"] + [
        f"ACME-{n} [P3] new - Export & import fail for <large> files," + " details" * 20
        for n in range(1, 21)
    ]
    reply = Reply("\n".join(lines), kind="ticket_list")
    [message] = render_messages(reply)
    sections = _sections(message.blocks)
    assert len(sections) > 1 and all(len(s) <= SECTION_LIMIT for s in sections)
    assert _shown(reply).splitlines() == lines


def test_a_4093_character_message_arrives_whole() -> None:
    text = ("a<b & c>d " * 410)[:4093]
    assert len(text) == 4093
    reply = Reply(f"Alice Martin: {text}")
    shown = _shown(reply)
    assert shown.split() == reply.text.split()
    sections = [s for m in render_messages(reply) for s in _sections(m.blocks)]
    assert all(len(s) <= SECTION_LIMIT for s in sections)


def test_a_cut_never_falls_inside_an_escape() -> None:
    pieces = split("&" * 4000)
    assert [len(p) for p in pieces] == [600, 600, 600, 600, 600, 600, 400]
    sections = _sections(render(Reply("&" * 4000)))
    assert all(s.endswith("&amp;") and len(s) <= SECTION_LIMIT for s in sections)


def test_a_very_long_reply_is_several_messages_with_buttons_and_sources_on_the_last() -> None:
    paragraph = "word " * 500  # 2,500 characters
    reply = Reply(
        "\n".join(f"{n}: {paragraph}" for n in range(30)),
        buttons=(Button("Yes", "survey:y"),),
        citations=(Citation("Guide", "", "https://docs.example.com/g"),),
    )
    messages = render_messages(reply)
    assert len(messages) == 3
    for message in messages:
        sections = _sections(message.blocks)
        assert 1 <= len(sections) <= SECTIONS_PER_MESSAGE
        assert message.text == sections[0]  # the notification is the message's own start
        assert sum(len(s) for s in sections) < 40_000
    assert [b["type"] for b in messages[-1].blocks][-2:] == ["context", "actions"]
    assert all(b["type"] == "section" for m in messages[:-1] for b in m.blocks)
    assert _shown(reply).split() == reply.text.split()


def test_buttons_only_and_empty_replies() -> None:
    [message] = render_messages(Reply("", buttons=(Button("A & B", "x"),)))
    assert message.text == "A &amp; B"
    assert [b["type"] for b in message.blocks] == ["actions"]
    [unlabelled] = render_messages(Reply("", buttons=(Button("", "x"),)))
    assert unlabelled.text == "…"  # Slack refuses an empty notification text and label
    assert render_messages(Reply("  ")) == []


def test_many_buttons_go_in_rows_of_25_with_short_labels() -> None:
    buttons = tuple(Button(f"Option {n} " + "x" * 100, f"p:{n}") for n in range(30))
    blocks = render(Reply("Pick one", buttons=buttons))
    rows = [b for b in blocks if b["type"] == "actions"]
    assert [len(r["elements"]) for r in rows] == [25, 5]
    assert len({r["block_id"] for r in rows}) == 2
    ids = [e["action_id"] for r in rows for e in r["elements"]]
    assert ids == [f"aftercare_{n}" for n in range(30)]
    assert all(len(e["text"]["text"]) <= 75 for r in rows for e in r["elements"])


def test_chosen_note_is_escaped() -> None:
    blocks = render(Reply("Pick", buttons=(Button("<!here> & go", "x"),)))
    note = chosen(blocks, "<!here> & go", "U123")[-1]["elements"][0]["text"]
    assert note == "<@U123> chose *&lt;!here&gt; &amp; go*"
    odd = chosen(blocks, "x", "<!channel>")[-1]["elements"][0]["text"]
    assert odd.startswith("&lt;!channel&gt; chose")
    assert all(b["type"] != "actions" for b in chosen(blocks, "x", "U1"))


class _Client:
    """Records chat.postMessage calls and answers with increasing timestamps."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"ok": True, "ts": f"1700000000.{len(self.calls):06d}"}


async def test_sender_posts_every_message_and_a_long_staff_message_keeps_to_its_thread(
    app: App,
) -> None:
    client = _Client()
    sender = SlackSender(client, app.db, app.clock, "CSTAFF")  # type: ignore[arg-type]
    text = "\n".join("line " * 500 for _ in range(30))
    meta = {"thread_key": "ticket:ACME-1", "ticket": "ACME-1"}
    reply = Reply(text, buttons=staff_buttons("ACME-1"), meta=meta)
    ts = await sender.send(Address("slack", "", "CSTAFF"), reply)
    assert len(client.calls) == 3 and ts == "1700000000.000003"
    first, *rest = client.calls
    assert first["thread_ts"] is None
    assert [c["thread_ts"] for c in rest] == ["1700000000.000001"] * 2
    assert await thread_key_of(app.db, "CSTAFF", "1700000000.000001") == "ticket:ACME-1"
    last = client.calls[-1]["blocks"]
    assert last[-1]["elements"][0]["value"] == "staff:ack:ACME-1"  # the buttons come last
    await sender.send(Address("slack", "", "CSTAFF"), Reply("more", meta=reply.meta))
    assert client.calls[-1]["thread_ts"] == "1700000000.000001"


async def test_post_answers_in_the_thread_it_is_given(app: App) -> None:
    client = _Client()
    sender = SlackSender(client, app.db, app.clock, "CSTAFF")  # type: ignore[arg-type]
    assert await sender.post("D1", Reply(EVIL), "5.5") == "1700000000.000001"
    [call] = client.calls
    assert call["thread_ts"] == "5.5" and call["channel"] == "D1"
    assert call["text"] == "&lt;!channel&gt; &lt;https://evil.example|verify here&gt;"
    await sender.post("D1", Reply("top level"))
    assert client.calls[-1]["thread_ts"] is None
    assert await sender.post("D1", Reply("")) is None
