"""PDF page text as lines with font size and position (from pypdf's text visitor), page
furniture removed, and lines joined back into paragraphs."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject

from indexer.documents.blocks import join_lines, lines_block

_PAGE_NUMBER = re.compile(
    r"(?:page|p\.|seite|página|pagina)?\s*[-–—]?\s*\d+\s*[-–—]?(?:\s*(?:/|of|von|de)\s*\d+)?"
    r"|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+",
    re.IGNORECASE,
)
_BULLET = re.compile(r"(?:[•●▪◦‣∙·*\-–]|(\d+[.)]))\s+(\S.*)")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_SENTENCE_END = tuple(".!?。！？:：;；")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # unmapped glyphs often come out as these
_EDGE = 3  # lines at the top and the bottom of a page where headers and footers live


@dataclass(frozen=True)
class Line:
    """One text line of a page: its text, font size in points, and baseline height."""

    text: str
    size: float
    y: float


def page_lines(page: PageObject) -> list[Line]:
    """The page's text lines in content order, each with the size of its dominant font."""
    lines: list[Line] = []
    parts: list[str] = []
    sizes: Counter[float] = Counter()
    ys: list[float] = []

    def end_line() -> None:
        text = " ".join(_CONTROL.sub(" ", "".join(parts)).split())
        if text:
            lines.append(Line(text, sizes.most_common(1)[0][0] if sizes else 0.0, ys[0]))
        parts.clear()
        sizes.clear()
        ys.clear()

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _font: Any, size: float) -> None:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                end_line()
            if piece.strip():
                scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
                sizes[round(size * scale * 2) / 2] += len(piece.strip())
                ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            parts.append(piece)

    page.extract_text(visitor_text=visit)
    end_line()
    return lines


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without running headers and footers: a line (digits ignored) at the top or bottom
    of most pages, or a line that is only a page number there."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_furniture_key(line.text) for line in _edges(lines)})
    threshold = max(3, math.ceil(len(pages) / 2))
    repeated = {key for key, n in counts.items() if n >= threshold}
    kept: list[list[Line]] = []
    for lines in pages:
        edges = {id(line) for line in _edges(lines)}
        rest = [
            line
            for line in lines
            if id(line) not in edges
            or not (_furniture_key(line.text) in repeated or _PAGE_NUMBER.fullmatch(line.text))
        ]
        kept.append(rest or lines)  # a page that would be left empty was not furniture
    return kept


def _edges(lines: list[Line]) -> list[Line]:
    return lines[:_EDGE] + lines[max(_EDGE, len(lines) - _EDGE) :]


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def paragraph_breaks(lines: list[Line]) -> list[bool]:
    """For each line, whether it starts a new paragraph: after a vertical gap clearly wider
    than the page's usual line spacing, a jump upwards (a new column), or at a bullet."""
    gaps = [a.y - b.y for a, b in itertools.pairwise(lines) if a.y - b.y > 0]
    usual = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    breaks = [True]
    for prev, line in itertools.pairwise(lines):
        gap = prev.y - line.y
        wide = gap > min(usual * 1.35, 2.0 * max(prev.size, line.size)) if usual else False
        breaks.append(wide or gap < -line.size or prev.size != line.size or is_bullet(line.text))
    return breaks


def is_bullet(text: str) -> bool:
    return _BULLET.fullmatch(text) is not None


def ends_sentence(text: str) -> bool:
    return text.endswith(_SENTENCE_END)


def join_paragraph(lines: list[str]) -> str:
    """Lines of one paragraph as one: a word hyphenated across a line break is re-joined,
    CJK lines join without a space."""
    parts: list[str] = []
    for line in lines:
        if parts and _HYPHENATED.search(parts[-1][-2:]) and line[:1].islower():
            parts[-1] = parts[-1][:-1] + line
        else:
            parts.append(line)
    out = join_lines(parts)
    match = _BULLET.fullmatch(out)
    if match:  # "• item" and "1. step" as "- item" and "- 1. step"
        number, rest = match.groups()
        out = f"- {number} {rest}" if number else f"- {rest}"
    return out


def join_blocks(paragraphs: list[str]) -> list[str]:
    """Paragraphs as blocks: consecutive list items form one block, a line each."""
    blocks: list[str] = []
    for text in paragraphs:
        if text.startswith("- ") and blocks and blocks[-1].split("\n")[-1].startswith("- "):
            blocks[-1] = lines_block([blocks[-1], text])
        else:
            blocks.append(text)
    return blocks
