"""PDF read with pypdf: sections from the outline (bookmarks), else from headings set in a
clearly larger font, else one per page; each section keeps the page it starts on."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.generic import Destination

from indexer.documents.blocks import assemble, join_lines, readable_stem
from indexer.documents.model import Document, DocumentError, invalid
from indexer.documents.pdf_lines import Line, drop_furniture, page_lines
from indexer.documents.pdf_sections import (
    HEADING_RATIO,
    font_marks,
    group_lists,
    key,
    outline_marks,
    page_marks,
    section_events,
)

_JUNK_TITLE = re.compile(r"untitled|unknown|\s*", re.IGNORECASE)
_OFFICE_PREFIX = re.compile(r"^(?:microsoft\s+\w+|powerpoint)\s+-\s+", re.IGNORECASE)


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
    marks = outline_marks(outline, texts, title) or font_marks(texts, body) or page_marks(texts)
    first = next((i for i, lines in enumerate(texts) if lines), 0)
    sections = assemble(group_lists(section_events(texts, marks)), start_page=first + 1)
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


def _title(
    meta: str | None, pages: list[list[Line]], body: float
) -> tuple[str | None, list[list[Line]]]:
    """The metadata title, else the first page's biggest line when no later page has a line as
    big; that line leaves the text when it is the title."""
    first = next(i for i, lines in enumerate(pages) if lines)
    top = max(line.size for line in pages[first])
    later = max((line.size for lines in pages[first + 1 :] for line in lines), default=0.0)
    if top < body * HEADING_RATIO or later >= top:
        return meta, pages
    start = next(i for i, line in enumerate(pages[first]) if line.size == top)
    end = start
    while end < len(pages[first]) and pages[first][end].size == top:
        end += 1
    big = join_lines(line.text for line in pages[first][start:end])
    if meta is not None and key(meta) != key(big):
        return meta, pages
    rest = pages[first][:start] + pages[first][end:]
    return meta or big, [*pages[:first], rest, *pages[first + 1 :]]
