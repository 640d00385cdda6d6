"""Passages: a section's text cut into short spans that are scored against the question on
their own, and the excerpt shown when a section is too long to show whole.

A passage is a run of whole paragraphs (a long paragraph: whole lines, then whole sentences)
of at most PASSAGE_CHARS characters, so that a question about one step of a long section meets
that step's words, not the average of the section. Excerpts are cut from the original text at
paragraph and sentence boundaries: never rewritten.
"""

from __future__ import annotations

import itertools
import re

# Measured on the starter KB's held-out section questions and the manual_tv val split: 300
# beat 600 and whole sections (to 1,000 characters) for the section shown, with `use`.
PASSAGE_CHARS = 300
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? ; followed by a space, or at a CJK full stop, exclamation or
# question mark (no space follows those).
_SENTENCE_END = re.compile(r"[.!?;](?=\s)|[。！？；]")

Span = tuple[int, int]


def passages(text: str, limit: int = PASSAGE_CHARS) -> list[Span]:
    """Spans of `text` covering all its words, each at most `limit` characters where a
    sentence allows (a longer sentence is its own passage)."""
    pieces = [
        piece for start, end in _spans(text, _PARAGRAPH) for piece in _fit(text, start, end, limit)
    ]
    merged: list[Span] = []
    for start, end in pieces:
        if merged and end - merged[-1][0] <= limit // 2:  # a heading line, a short list item
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _fit(text: str, start: int, end: int, limit: int) -> list[Span]:
    """One paragraph as spans of at most `limit`: whole lines, then whole sentences."""
    if end - start <= limit:
        return [(start, end)]
    units: list[Span] = []
    for line_start, line_end in _spans(text[start:end], re.compile(r"\n")):
        a, b = start + line_start, start + line_end
        units.extend([(a, b)] if b - a <= limit else _sentences(text, a, b))
    out: list[Span] = []
    for a, b in units:
        if out and b - out[-1][0] <= limit:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _sentences(text: str, start: int, end: int) -> list[Span]:
    cuts = [start] + [start + m.end() for m in _SENTENCE_END.finditer(text[start:end])] + [end]
    spans = []
    for a, b in itertools.pairwise(cuts):
        a, b = _strip(text, a, b)
        if a < b:
            spans.append((a, b))
    return spans


def _spans(text: str, separator: re.Pattern[str]) -> list[Span]:
    """The non-blank stretches of `text` between matches of `separator`, stripped."""
    spans, at = [], 0
    for match in [*separator.finditer(text), None]:
        stop = match.start() if match else len(text)
        a, b = _strip(text, at, stop)
        if a < b:
            spans.append((a, b))
        if match:
            at = match.end()
    return spans


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def excerpt(text: str, spans: list[Span], best: int, budget: int) -> str:
    """The passage `best` of `text`, widened by its neighbours (the following one first, as
    steps and details follow what introduces them) while within `budget` characters; `…`
    marks text left out before or after. The whole text when it fits."""
    text_len = len(text.strip())
    if text_len <= budget or not spans:
        return text.strip()
    first = last = best
    while True:
        grown = False
        for candidate in (last + 1, first - 1):
            if 0 <= candidate < len(spans):
                a = min(spans[first][0], spans[candidate][0])
                b = max(spans[last][1], spans[candidate][1])
                if b - a <= budget:
                    first, last = min(first, candidate), max(last, candidate)
                    grown = True
                    break
        if not grown:
            break
    start, end = spans[first][0], spans[last][1]
    shown = text[start:end]
    if end - start > budget:  # one passage longer than the budget: whole sentences of it
        cut = [m.end() for m in _SENTENCE_END.finditer(shown) if m.end() <= budget]
        shown = shown[: cut[-1]] if cut else shown[:budget]
        end = start + len(shown)
    before = "… " if first > 0 or text[:start].strip() else ""
    after = " …" if text[end:].strip() else ""
    return f"{before}{shown.strip()}{after}"
