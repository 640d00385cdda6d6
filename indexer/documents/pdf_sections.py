"""Where a PDF's sections start (bookmarks, lines in a larger font, or pages) as marks placed
before lines, and the headings and paragraphs that lines and marks make."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.documents.blocks import Event, Heading, join_lines
from indexer.documents.pdf_lines import (
    Line,
    ends_sentence,
    is_bullet,
    join_blocks,
    join_paragraph,
    paragraph_breaks,
)

HEADING_RATIO = 1.15  # a heading's font is at least this much larger than the body's
_MAX_HEADING_CHARS = 150


@dataclass(frozen=True)
class Mark:
    """A heading placed before line `index` of page `page` (0-based); `drop` removes that
    line from the text because it is the heading itself."""

    page: int
    index: int
    heading: Heading | None
    drop: bool


def key(text: str) -> str:
    """Text to compare titles by: no whitespace (extraction adds and drops spaces), any case."""
    return "".join(text.split()).casefold()


def _matches(line: str, title: str) -> bool:
    """A line is a bookmark's heading when it is the title, perhaps with a number or a few
    characters more ("2.1 Install" for the bookmark "Install")."""
    a, b = key(line), key(title)
    return bool(b) and (a == b or (len(a) <= len(b) + 8 and (a.endswith(b) or a.startswith(b))))


def outline_marks(
    outline: list[tuple[int, str, int | None]], pages: list[list[Line]], title: str | None
) -> list[Mark]:
    """Each bookmark starts a section at its page, or at its title's line when that line is
    found there. A later bookmark on the same page whose title is not found gets no text:
    it starts right before the next bookmark, so it is still the parent of its children."""
    roots = [e for e in outline if e[0] == 0]
    if len(roots) == 1 and title is not None and key(roots[0][1]) == key(title):
        outline = [(depth - 1, text, page) for depth, text, page in outline[1:]]
    marks: list[Mark] = []
    pending: list[Heading] = []
    at_page, at_index = -1, 0
    for depth, text, page in outline:
        heading = Heading(depth + 1, text, page=None if page is None else page + 1)
        if page is None or page < at_page or page >= len(pages):
            pending.append(heading)
            continue
        start = at_index if page == at_page else 0
        found = next(
            (i for i in range(start, len(pages[page])) if _matches(pages[page][i].text, text)),
            None,
        )
        if found is None and page == at_page:
            pending.append(heading)
            continue
        index = found if found is not None else 0
        marks.extend(Mark(page, index, h, False) for h in pending)
        marks.append(Mark(page, index, heading, found is not None))
        pending = []
        at_page, at_index = page, index + (found is not None)
    end = len(pages) - 1
    marks.extend(Mark(end, len(pages[end]), h, False) for h in pending)
    return marks


def font_marks(pages: list[list[Line]], body: float) -> list[Mark]:
    """Lines in a clearly larger font than the body's are headings, the largest size level 1;
    a heading wrapped over adjacent lines of one size is one heading."""
    big = {
        (p, i)
        for p, lines in enumerate(pages)
        for i, line in enumerate(lines)
        if line.size >= body * HEADING_RATIO
        and line.size >= body + 1
        and len(line.text) <= _MAX_HEADING_CHARS
        and not is_bullet(line.text)
    }
    sizes = sorted({pages[p][i].size for p, i in big}, reverse=True)
    level = {size: min(n + 1, 6) for n, size in enumerate(sizes)}
    marks: list[Mark] = []
    for p, i in sorted(big):
        line = pages[p][i]
        if (p, i - 1) in big and pages[p][i - 1].size == line.size:
            continue  # the second line of a wrapped heading, joined below
        end = i + 1
        while (p, end) in big and pages[p][end].size == line.size:
            end += 1
        text = join_lines(x.text for x in pages[p][i:end])
        marks.append(Mark(p, i, Heading(level[line.size], text, page=p + 1), True))
        marks.extend(Mark(p, j, None, True) for j in range(i + 1, end))
    return marks


def page_marks(pages: list[list[Line]]) -> list[Mark]:
    return [
        Mark(p, 0, Heading(1, f"Page {p + 1}", page=p + 1), False)
        for p, lines in enumerate(pages)
        if lines
    ]


def section_events(pages: list[list[Line]], marks: list[Mark]) -> list[Event]:
    """Headings and paragraphs in reading order; a paragraph that does not end a sentence at
    the bottom of a page goes on at the top of the next one."""
    at: dict[tuple[int, int], list[Mark]] = {}
    for mark in marks:
        at.setdefault((mark.page, mark.index), []).append(mark)
    events: list[Event] = []
    para: list[str] = []
    last: Line | None = None

    def flush() -> None:
        if para:
            events.append(join_paragraph(para))
            para.clear()

    for p, lines in enumerate(pages):
        breaks = paragraph_breaks(lines)
        for i, line in enumerate(lines):
            here = at.get((p, i), [])
            if here:
                flush()
                events.extend(m.heading for m in here if m.heading is not None)
            if any(m.drop for m in here):
                continue
            if i == 0 and last is not None and para:
                breaks[0] = ends_sentence(last.text) or last.size != line.size
                breaks[0] = breaks[0] or is_bullet(line.text)
            if breaks[i]:
                flush()
            para.append(line.text)
            last = line
        tail = at.get((p, len(lines)), [])
        if tail:
            flush()
            events.extend(m.heading for m in tail if m.heading is not None)
    flush()
    return events


def group_lists(stream: list[Event]) -> list[Event]:
    """Consecutive list items form one block, a line each."""
    out: list[Event] = []
    run: list[str] = []
    for event in stream:
        if isinstance(event, str):
            run.append(event)
            continue
        out.extend(join_blocks(run))
        run = []
        out.append(event)
    out.extend(join_blocks(run))
    return out
