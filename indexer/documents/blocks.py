"""Pieces every reader shares: CJK-aware whitespace normalisation, and turning a stream of
headings and text blocks into sections with heading paths."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.documents.model import DocSection

# Han, kana, bopomofo, CJK punctuation and full-width forms: Chinese and Japanese text has no
# spaces between words, so a line break between two of these characters is not a space.
# Hangul is left out on purpose: Korean separates words with spaces.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]"
)
_CJK_PUNCTUATION = re.compile("[\u3000-\u303f\ufe30-\ufe4f\uff00-\uffef]")
CODE_INDENT = "    "


@dataclass(frozen=True)
class Heading:
    """A heading met while reading: its nesting level (1 = outermost) and where it is."""

    level: int
    text: str
    line: int = 0
    page: int | None = None


# What a reader emits, in document order: a heading, or one finished block of text.
Event = Heading | str


def _glue(left: str, right: str) -> str:
    """The separator between two joined pieces: nothing inside CJK text, else one space."""
    a, b = left[-1], right[0]
    if _CJK_PUNCTUATION.match(a) or _CJK_PUNCTUATION.match(b):
        return ""
    return "" if _CJK.match(a) and _CJK.match(b) else " "


def join_lines(lines: Iterable[str]) -> str:
    """Lines of one paragraph as one line, runs of whitespace as one space (none between CJK)."""
    pieces: list[str] = []
    for raw in lines:
        line = " ".join(raw.split())
        if line:
            if pieces:
                pieces.append(_glue(pieces[-1], line))
            pieces.append(line)
    return "".join(pieces)


def paragraph(text: str) -> str:
    """A paragraph's text with its whitespace normalised."""
    return join_lines(text.splitlines())


def lines_block(lines: Iterable[str]) -> str:
    """List items or table rows: one per line, empty lines dropped."""
    return "\n".join(line.rstrip() for line in lines if line.strip())


def code_block(code: str) -> str:
    """Code kept line by line and indented, so a `# comment` line never reads as a heading."""
    return "\n".join(CODE_INDENT + line.rstrip() for line in code.splitlines() if line.strip())


def table_row(cells: Sequence[str]) -> str:
    """A table row as "a | b", or "" when every cell is empty."""
    texts = [paragraph(cell) for cell in cells]
    return " | ".join(texts) if any(texts) else ""


def readable_stem(path: Path) -> str:
    """A title made from a file name: "install-guide_v2.pdf" -> "Install guide v2"."""
    words = " ".join(re.split(r"[\s_\-]+", path.stem)).strip() or path.name
    return words[0].upper() + words[1:] if words.islower() else words


def split_title(events: list[Event]) -> tuple[str | None, list[Event]]:
    """A level-1 heading that comes before every other heading is the document's title."""
    first = next((i for i, e in enumerate(events) if isinstance(e, Heading)), None)
    if first is None:
        return None, events
    heading = events[first]
    assert isinstance(heading, Heading)
    if heading.level != 1:
        return None, events
    return heading.text, events[:first] + events[first + 1 :]


def assemble(events: Iterable[Event], start_page: int | None = None) -> tuple[DocSection, ...]:
    """Sections from headings and blocks: each heading closes the open section and starts one
    under the path of the headings it nests in. Sections without text are left out."""
    sections: list[DocSection] = []
    stack: list[Heading] = []
    blocks: list[str] = []
    line, page = 0, start_page

    def close() -> None:
        if blocks:
            path = tuple(h.text for h in stack)
            sections.append(DocSection(path, "\n\n".join(blocks), page, line))

    for event in events:
        if isinstance(event, Heading):
            if not event.text:
                continue
            close()
            blocks = []
            while stack and stack[-1].level >= event.level:
                stack.pop()
            stack.append(event)
            line, page = event.line, event.page
        elif event.strip():
            blocks.append(event.strip("\n"))
    close()
    return tuple(sections)
