"""Reply → Telegram HTML: every piece of text escaped, citations as links, split at 4096."""

from __future__ import annotations

import html

from adapters import text as plain
from bot.core.messages import Citation, Reply

# Telegram counts a message's length after entity parsing, in UTF-16 code units.
LIMIT = 4096


def escape(text: str) -> str:
    """HTML parse mode needs only &, < and > escaped; nothing a user types can add markup."""
    return html.escape(text, quote=False)


def length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units of the visible text)."""
    return plain.measure(text)


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Plain text cut into pieces of at most `limit`, at a line break, else a space, else anywhere."""
    return plain.split(text, limit)


def _source(citation: Citation, limit: int) -> tuple[str, int]:
    """One citation as HTML and its visible length (within `limit`); a link for http(s)."""
    label = f"{citation.title} › {citation.section}" if citation.section else citation.title
    label = plain.clip(label, limit)
    if citation.source.startswith(("http://", "https://")):
        href = html.escape(citation.source, quote=True)
        return f'<a href="{href}">{escape(label)}</a>', length(label)
    return escape(label), length(label)


def _source_lines(citations: tuple[Citation, ...], word: str) -> list[tuple[str, int]]:
    """'Source: a · b' as HTML lines and their visible lengths, each line within LIMIT."""
    head = f"{word}: "
    lines: list[tuple[str, int]] = []
    for citation in citations:
        if lines:
            html_item, visible = _source(citation, LIMIT)
            line, used = lines[-1]
            if used + 3 + visible <= LIMIT:
                lines[-1] = (f"{line} · {html_item}", used + 3 + visible)
                continue
            lines.append((html_item, visible))
        else:
            html_item, visible = _source(citation, LIMIT - length(head))
            lines.append((escape(head) + html_item, length(head) + visible))
    return lines


def render(reply: Reply, source_word: str = "Source") -> list[str]:
    """The HTML messages for one reply: the text in pieces, then the citation line.

    The citation line goes with the last piece when both fit in one message.
    """
    pieces = split(reply.text, LIMIT)
    messages = [escape(piece) for piece in pieces]
    for number, (line, visible) in enumerate(_source_lines(reply.citations, source_word)):
        last = pieces[-1] if number == 0 else None
        if last is not None and length(last) + 2 + visible <= LIMIT:
            messages[-1] = f"{messages[-1]}\n\n<i>{line}</i>" if last else f"<i>{line}</i>"
        else:
            messages.append(f"<i>{line}</i>")
    return messages


def chosen(original_html: str, visible: int, label: str, who: str) -> str | None:
    """The clicked message's text with a note of who chose what; None when it would not fit."""
    note = f"✓ {who} chose {label}" if who else f"✓ {label}"
    if visible + 2 + length(note) > LIMIT:
        return None
    return f"{original_html}\n\n<i>{escape(note)}</i>"
