"""Reply → Telegram HTML: every piece of text escaped, citations as links, split at 4096."""

from __future__ import annotations

import html

from bot.messages import Citation, Reply

# Telegram counts a message's length after entity parsing, in UTF-16 code units.
LIMIT = 4096


def escape(text: str) -> str:
    """HTML parse mode needs only &, < and > escaped; nothing a user types can add markup."""
    return html.escape(text, quote=False)


def length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units of the visible text)."""
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Plain text cut into pieces of at most `limit`, at a line break, else a space, else anywhere."""
    pieces: list[str] = []
    rest = text.strip()
    while length(rest) > limit:
        cut = _fit(rest, limit)
        window = rest[:cut]
        at = window.rfind("\n")
        if at <= cut // 2:
            at = window.rfind(" ")
        if at > cut // 2:
            cut = at
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _fit(text: str, limit: int) -> int:
    """The most characters of `text` whose UTF-16 length is within `limit`."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _source(citation: Citation) -> tuple[str, int]:
    """One citation as HTML and its visible length; a link only for http(s) sources."""
    label = f"{citation.title} › {citation.section}" if citation.section else citation.title
    if citation.source.startswith(("http://", "https://")):
        href = html.escape(citation.source, quote=True)
        return f'<a href="{href}">{escape(label)}</a>', length(label)
    return escape(label), length(label)


def render(reply: Reply, source_word: str = "Source") -> list[str]:
    """The HTML messages for one reply: the text in pieces, then the citation line.

    The citation line goes with the last piece when both fit in one message.
    """
    pieces = split(reply.text, LIMIT)
    messages = [escape(piece) for piece in pieces]
    if reply.citations:
        sources = [_source(c) for c in reply.citations]
        line = f"{source_word}: " + " · ".join(h for h, _ in sources)
        visible = length(f"{source_word}: ") + sum(n for _, n in sources) + 3 * (len(sources) - 1)
        if length(pieces[-1]) + 2 + visible <= LIMIT:
            messages[-1] = f"{messages[-1]}\n\n<i>{line}</i>" if pieces[-1] else f"<i>{line}</i>"
        else:
            messages.append(f"<i>{line}</i>")
    return messages


def chosen(original_html: str, visible: int, label: str, who: str) -> str | None:
    """The clicked message's text with a note of who chose what; None when it would not fit."""
    note = f"✓ {who} chose {label}" if who else f"✓ {label}"
    if visible + 2 + length(note) > LIMIT:
        return None
    return f"{original_html}\n\n<i>{escape(note)}</i>"
