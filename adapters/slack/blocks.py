"""Reply → Slack messages: escaped mrkdwn sections, a context block of citations, buttons.

A long reply becomes several sections and, past what one message may hold, several messages;
everything built from text is mrkdwn-escaped, so nothing a user wrote can mention or link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from adapters import text as plain
from bot.core.messages import Button, Citation, Reply

SECTION_LIMIT = 3000  # characters of a section's (or any text object's) mrkdwn
SECTIONS_PER_MESSAGE = 12
MESSAGE_BUDGET = 36_000  # block text per message, well under Slack's 40,000 characters
BLOCK_LIMIT = 50
BUTTONS_PER_BLOCK = 25  # an actions block holds at most 25 elements
BUTTON_LABEL_LIMIT = 75
CONTEXT_ELEMENTS = 10
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ESCAPED = re.compile(r"&(?:amp|lt|gt);")
_USER_ID = re.compile(r"^[A-Z0-9]+$")


def escape(text: str) -> str:
    """Slack's three mrkdwn control characters; everything else is sent as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """The reverse of `escape`, in one pass (so `&amp;lt;` stays the text `&lt;`)."""
    return _ESCAPED.sub(lambda m: _UNESCAPES[m.group(0)], text)


def _escaped_cost(char: str) -> int:
    """What a raw character costs once escaped, counted in UTF-16 units."""
    escaped = _ESCAPES.get(char)
    return len(escaped) if escaped is not None else plain.utf16(char)


def split(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Raw pieces of `text` whose escaped form is at most `limit`: the cut is made before
    escaping, so it never falls inside `&amp;`."""
    return plain.split(text, limit, _escaped_cost)


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage: `text` is the escaped notification fallback."""

    text: str
    blocks: list[dict[str, Any]]


def render_messages(reply: Reply) -> list[SlackMessage]:
    """The messages that say `reply`, in order; citations and buttons go on the last one.

    Empty for a reply with nothing to show.
    """
    sections = [escape(piece) for piece in split(reply.text) if piece]
    tail = [*_context(reply.citations), *_actions(reply.buttons)]
    tail_size = sum(_size(block) for block in tail)
    groups: list[list[str]] = []
    for section in sections:
        if (
            not groups
            or len(groups[-1]) >= SECTIONS_PER_MESSAGE
            or _total(groups[-1]) + _length(section) > MESSAGE_BUDGET
        ):
            groups.append([])
        groups[-1].append(section)
    if tail and groups:
        # The last message carries the tail too: as much of its text as fits with it stays,
        # the rest becomes a message of its own before it.
        last = groups.pop()
        room = min(BLOCK_LIMIT - len(tail), SECTIONS_PER_MESSAGE)
        keep = len(last)
        while keep and (keep > room or _total(last[-keep:]) + tail_size > MESSAGE_BUDGET):
            keep -= 1
        if keep < len(last):
            groups.append(last[: len(last) - keep])
        groups.append(last[len(last) - keep :])
    if not groups and not tail:
        return []
    final = groups.pop() if groups else []
    messages = [SlackMessage(group[0], [_section(s) for s in group]) for group in groups]
    blocks = [*(_section(s) for s in final), *tail]
    messages.append(SlackMessage(final[0] if final else _fallback(tail), blocks))
    return messages


def render(reply: Reply) -> list[dict[str, Any]]:
    """Every block of every message of `render_messages`, for a caller that posts one message
    (fine for any ordinary reply; post with `render_messages` when the text may be long)."""
    return [block for message in render_messages(reply) for block in message.blocks]


def chosen(blocks: list[dict[str, Any]], label: str, user_id: str) -> list[dict[str, Any]]:
    """The clicked message without its buttons, saying who chose what (so nobody votes twice)."""
    kept = [b for b in blocks if b.get("type") != "actions"][: BLOCK_LIMIT - 1]
    who = f"<@{user_id}>" if _USER_ID.match(user_id) else escape(plain.clip(user_id, 100))
    what = escape(plain.clip(label, 200))
    note = f"{who} chose *{what}*" if what else f"{who} chose"
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _length(text: str) -> int:
    return plain.measure(text)


def _total(sections: list[str]) -> int:
    return sum(map(_length, sections))


def _size(block: dict[str, Any]) -> int:
    """The characters of text a tail block adds to its message."""
    if block["type"] == "context":
        return sum(_length(e["text"]) for e in block["elements"])
    return sum(_length(e["text"]["text"]) + _length(e["value"]) for e in block["elements"])


def _fallback(tail: list[dict[str, Any]]) -> str:
    """Notification text for a message without sections: its sources, else its first button."""
    first = tail[0]
    if first["type"] == "context":
        return str(first["elements"][0]["text"])
    return str(first["elements"][0]["text"]["text"])


def _source(citation: Citation, limit: int) -> str:
    """A citation as mrkdwn within `limit`: a link for an http(s) source, else its label."""
    label = f"{citation.title} › {citation.section}" if citation.section else citation.title
    url = citation.source
    if url.startswith(("http://", "https://")):
        href = escape(url).replace("|", "%7C")
        room = limit - _length(href) - 3
        if room > 0 and plain.measure(label, _escaped_cost) <= room:
            return f"<{href}|{escape(label)}>"
    return escape(plain.clip(label, limit, _escaped_cost))


def _context(citations: tuple[Citation, ...]) -> list[dict[str, Any]]:
    """One context block, 'Source: a · b': each element within the text limit, at most ten
    (a reply cites a handful, so nothing is dropped in practice)."""
    if not citations:
        return []
    prefix = "Source: "
    elements = [prefix + _source(citations[0], SECTION_LIMIT - len(prefix))]
    for citation in citations[1:]:
        item = _source(citation, SECTION_LIMIT)
        if _length(elements[-1]) + 3 + _length(item) <= SECTION_LIMIT:
            elements[-1] += f" · {item}"
        elif len(elements) < CONTEXT_ELEMENTS:
            elements.append(item)
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in elements]}]


def _actions(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    """Rows of at most 25 buttons; every label escaped and within Slack's 75 characters."""
    elements = [
        {
            "type": "button",
            "text": {
                "type": "plain_text",
                "text": escape(plain.clip(b.label, BUTTON_LABEL_LIMIT, _escaped_cost) or "…"),
            },
            "value": b.payload,
            "action_id": f"aftercare_{i}",
        }
        for i, b in enumerate(buttons)
    ]
    # Room is left for a context block and for the note `chosen` puts in place of the buttons.
    starts = range(0, len(elements), BUTTONS_PER_BLOCK)[: BLOCK_LIMIT - 2]
    return [
        {
            "type": "actions",
            "block_id": "aftercare_buttons" if start == 0 else f"aftercare_buttons_{start}",
            "elements": elements[start : start + BUTTONS_PER_BLOCK],
        }
        for start in starts
    ]
