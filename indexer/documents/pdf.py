"""PDF read with pypdf: sections from the outline (bookmarks), else from headings set in a
clearly larger font, else one per page; each section keeps the page it starts on."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.generic import Destination

from indexer.documents.blocks import Event, Heading, assemble, join_lines, readable_stem
from indexer.documents.model import Document, DocumentError, invalid
from indexer.documents.pdf_lines import (
    Line,
    drop_furniture,
    ends_sentence,
    is_bullet,
    join_blocks,
    join_paragraph,
    page_lines,
    paragraph_breaks,
)

_HEADING_RATIO = 1.15  # a heading's font is at least this much larger than the body's
_MAX_HEADING_CHARS = 150
_JUNK_TITLE = re.compile(r"untitled|unknown|\s*", re.IGNORECASE)
_OFFICE_PREFIX = re.compile(r"^(?:microsoft\s+\w+|powerpoint)\s+-\s+", re.IGNORECASE)


@dataclass(frozen=True)
class _Mark:
    """A heading placed before line `index` of page `page` (0-based); `drop` removes that
    line from the text because it is the heading itself."""

    page: int
    index: int
    heading: Heading | None
    drop: bool


def read(data: bytes, path: Path) -> Document:
    """A PDF as a Document; encrypted files are tried with the empty password first."""
    try:
        reader = PdfReader(io.BytesIO(data))
        _decrypt(reader, path)
        pages = [_lines_or_none(page) for page in reader.pages]
        meta_title = _meta_title(reader)
        outline = _outline(reader)
    except DocumentError:
        raise
    except Exception as exc:  # pypdf fails on broken files in many ways
        raise invalid(path, "PDF", exc) from None
    if not pages:
        raise DocumentError(f"{path}: no text (the PDF has no pages)")
    if not any(pages):
        if all(lines is None for lines in pages):
            raise DocumentError(f"{path}: not a valid PDF file (no page could be read)")
        raise DocumentError(f"{path}: no text, needs OCR")
    texts = drop_furniture([lines or [] for lines in pages])
    body = _body_size(texts)
    title, texts = _title(meta_title, texts, body)
    marks = _outline_marks(outline, texts, title) or _font_marks(texts, body) or _page_marks(texts)
    first = next((i for i, lines in enumerate(texts) if lines), 0)
    sections = assemble(_group_lists(_events(texts, marks)), start_page=first + 1)
    return Document(title or readable_stem(path), sections)


def _decrypt(reader: PdfReader, path: Path) -> None:
    """Many PDFs are encrypted only against editing, with an empty user password."""
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise DocumentError(f"{path}: encrypted PDF (needs a password)")


def _lines_or_none(page: PageObject) -> list[Line] | None:
    """A page's lines, or None when its content cannot be read (the other pages still count)."""
    try:
        return page_lines(page)
    except Exception:  # a broken content stream on one page
        return None


def _meta_title(reader: PdfReader) -> str | None:
    """The Title entry, unless it is a placeholder ("untitled", a Word file name)."""
    meta = reader.metadata
    raw = meta.title if meta is not None else None
    if not isinstance(raw, str):
        return None
    title = _OFFICE_PREFIX.sub("", join_lines([raw]))
    title = re.sub(r"\.(docx?|pptx?|pdf|odt)$", "", title, flags=re.IGNORECASE)
    return None if _JUNK_TITLE.fullmatch(title) else title


def _outline(reader: PdfReader) -> list[tuple[int, str, int | None]]:
    """Bookmarks in order as (depth, title, 0-based page or None)."""
    entries: list[tuple[int, str, int | None]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif isinstance(item, Destination):
                page = reader.get_destination_page_number(item)
                title = join_lines([str(item.title or "")])
                entries.append((depth, title, page if page is not None and page >= 0 else None))

    walk(list(reader.outline), 0)
    return [e for e in entries if e[1]]


def _body_size(pages: list[list[Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def _title(
    meta: str | None, pages: list[list[Line]], body: float
) -> tuple[str | None, list[list[Line]]]:
    """The metadata title, else the first page's biggest line when no later page has a line as
    big; that line leaves the text when it is the title."""
    first = next(i for i, lines in enumerate(pages) if lines)
    top = max(line.size for line in pages[first])
    later = max((line.size for lines in pages[first + 1 :] for line in lines), default=0.0)
    if top < body * _HEADING_RATIO or later >= top:
        return meta, pages
    start = next(i for i, line in enumerate(pages[first]) if line.size == top)
    end = start
    while end < len(pages[first]) and pages[first][end].size == top:
        end += 1
    big = join_lines(line.text for line in pages[first][start:end])
    if meta is not None and _key(meta) != _key(big):
        return meta, pages
    rest = pages[first][:start] + pages[first][end:]
    return meta or big, [*pages[:first], rest, *pages[first + 1 :]]


def _matches(line: str, title: str) -> bool:
    """A line is a bookmark's heading when it is the title, perhaps with a number or a few
    characters more ("2.1 Install" for the bookmark "Install")."""
    a, b = _key(line), _key(title)
    return bool(b) and (a == b or (len(a) <= len(b) + 8 and (a.endswith(b) or a.startswith(b))))


def _outline_marks(
    outline: list[tuple[int, str, int | None]], pages: list[list[Line]], title: str | None
) -> list[_Mark]:
    """Each bookmark starts a section at its page, or at its title's line when that line is
    found there. A later bookmark on the same page whose title is not found gets no text:
    it starts right before the next bookmark, so it is still the parent of its children."""
    roots = [e for e in outline if e[0] == 0]
    if len(roots) == 1 and title is not None and _key(roots[0][1]) == _key(title):
        outline = [(depth - 1, text, page) for depth, text, page in outline[1:]]
    marks: list[_Mark] = []
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
        marks.extend(_Mark(page, index, h, False) for h in pending)
        marks.append(_Mark(page, index, heading, found is not None))
        pending = []
        at_page, at_index = page, index + (found is not None)
    end = len(pages) - 1
    marks.extend(_Mark(end, len(pages[end]), h, False) for h in pending)
    return marks


def _font_marks(pages: list[list[Line]], body: float) -> list[_Mark]:
    """Lines in a clearly larger font than the body's are headings, the largest size level 1;
    a heading wrapped over adjacent lines of one size is one heading."""
    big = {
        (p, i)
        for p, lines in enumerate(pages)
        for i, line in enumerate(lines)
        if line.size >= body * _HEADING_RATIO
        and line.size >= body + 1
        and len(line.text) <= _MAX_HEADING_CHARS
        and not is_bullet(line.text)
    }
    sizes = sorted({pages[p][i].size for p, i in big}, reverse=True)
    level = {size: min(n + 1, 6) for n, size in enumerate(sizes)}
    marks: list[_Mark] = []
    for p, i in sorted(big):
        line = pages[p][i]
        if (p, i - 1) in big and pages[p][i - 1].size == line.size:
            continue  # the second line of a wrapped heading, joined below
        end = i + 1
        while (p, end) in big and pages[p][end].size == line.size:
            end += 1
        text = join_lines(x.text for x in pages[p][i:end])
        marks.append(_Mark(p, i, Heading(level[line.size], text, page=p + 1), True))
        marks.extend(_Mark(p, j, None, True) for j in range(i + 1, end))
    return marks


def _page_marks(pages: list[list[Line]]) -> list[_Mark]:
    return [
        _Mark(p, 0, Heading(1, f"Page {p + 1}", page=p + 1), False)
        for p, lines in enumerate(pages)
        if lines
    ]


def _events(pages: list[list[Line]], marks: list[_Mark]) -> list[Event]:
    """Headings and paragraphs in reading order; a paragraph that does not end a sentence at
    the bottom of a page goes on at the top of the next one."""
    at: dict[tuple[int, int], list[_Mark]] = {}
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


def _group_lists(events: list[Event]) -> list[Event]:
    """Consecutive list items form one block, a line each."""
    out: list[Event] = []
    run: list[str] = []
    for event in events:
        if isinstance(event, str):
            run.append(event)
            continue
        out.extend(join_blocks(run))
        run = []
        out.append(event)
    out.extend(join_blocks(run))
    return out
