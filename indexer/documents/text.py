"""Plain text: paragraphs split on blank lines; headings are underlined (=== or ---) short
lines or numbered lines such as "2.1 Install the agent" standing alone."""

from __future__ import annotations

import re
from pathlib import Path

from indexer.documents.blocks import (
    Event,
    Heading,
    assemble,
    join_lines,
    lines_block,
    readable_stem,
    split_title,
)
from indexer.documents.decode import utf8
from indexer.documents.model import Document

_UNDERLINE = re.compile(r"={3,}|-{3,}")
_NUMBERED = re.compile(r"(\d+(?:\.\d+)*)\.?\s+\S.*")
_BULLET = re.compile(r"(?:[-*•·]|\d+[.)])\s+(\S.*)")
_MAX_HEADING = 80


def read(data: bytes, path: Path) -> Document:
    """A text file as a Document; a first heading underlined with === is the title."""
    lines = utf8(data, path).splitlines()
    events = _events(lines)
    first = next((e for e in events if isinstance(e, Heading)), None)
    title = None
    if first is not None and first.line and _is_title(lines, first.line - 1):
        title, events = split_title(events)
    return Document(title or readable_stem(path), assemble(events))


def _is_title(lines: list[str], index: int) -> bool:
    return index + 1 < len(lines) and lines[index + 1].strip().startswith("=")


def _events(lines: list[str]) -> list[Event]:
    events: list[Event] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            events.append(_block(para))
            para.clear()

    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        alone = i == 0 or not lines[i - 1].strip()
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if alone and _UNDERLINE.fullmatch(underline) and _heading_like(stripped):
            flush()
            events.append(Heading(1 if underline[0] == "=" else 2, stripped, i + 1))
            i += 2
            continue
        numbered = _NUMBERED.fullmatch(stripped)
        if alone and not underline and numbered and _heading_like(stripped):
            flush()
            # below both underline levels, so "2.1 ..." nests under an underlined heading
            events.append(Heading(numbered.group(1).count(".") + 3, stripped, i + 1))
        elif not stripped or _UNDERLINE.fullmatch(stripped):
            flush()
        else:
            para.append(stripped)
        i += 1
    flush()
    return events


def _heading_like(line: str) -> bool:
    """Short, and not ending like a sentence (Latin or CJK full stop, or a colon)."""
    return 0 < len(line) < _MAX_HEADING and line[-1] not in ".。:：;；,，"


def _block(lines: list[str]) -> str:
    """A paragraph as one line, or a list (every line a bullet) as "- " lines."""
    items = [_BULLET.fullmatch(line) for line in lines]
    if all(items):
        return lines_block(f"- {m.group(1)}" for m in items if m)
    return join_lines(lines)
