"""Word documents read with python-docx: body paragraphs and tables in order, "Heading N" styles
(or an outline level) as the heading path, the "Title" style as the title."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.text.parfmt import CT_PPr
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from indexer.documents.blocks import (
    Event,
    Heading,
    assemble,
    lines_block,
    paragraph,
    readable_stem,
    table_row,
)
from indexer.documents.model import Document, DocumentError, invalid

_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list(?:\s+\w+)?(?:\s+([1-9]))?", re.IGNORECASE)
_BODY_OUTLINE_LEVEL = 9


def read(data: bytes, path: Path) -> Document:
    """A .docx file as a Document; anything python-docx cannot open is a DocumentError."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile):
        raise DocumentError(f"{path}: not a valid DOCX file (not a Word package)") from None
    except Exception as exc:  # a broken package fails in many ways (KeyError, XML errors, ...)
        raise invalid(path, "DOCX", exc) from None
    try:
        title, events = _events(document)
        core_title = document.core_properties.title
    except Exception as exc:  # malformed XML inside a valid zip
        raise invalid(path, "DOCX", exc) from None
    return Document(title or paragraph(core_title or "") or readable_stem(path), assemble(events))


def _events(document: DocxDocument) -> tuple[str, list[Event]]:
    """The Title-style text and the headings and blocks of the body, list items grouped."""
    title = ""
    events: list[Event] = []
    items: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            _close_list(items, events)
            events.append(lines_block(_rows(block)))
            continue
        text = paragraph(block.text)
        style = block.style
        if _is_title(style):
            title = title or text
        elif (level := _heading_level(block, style)) is not None:
            _close_list(items, events)
            events.append(Heading(level, text))
        elif _list_depth(block, style) is not None and text:
            items.append(f"{'  ' * (_list_depth(block, style) or 0)}- {text}")
        else:
            _close_list(items, events)
            events.append(text)
    _close_list(items, events)
    return title, events


def _close_list(items: list[str], events: list[Event]) -> None:
    if items:
        events.append(lines_block(items))
        items.clear()


def _styles(style: ParagraphStyle | None) -> list[ParagraphStyle]:
    """A style and the styles it is based on, nearest first (a custom style based on
    "Heading 2" is a heading too)."""
    chain: list[ParagraphStyle] = []
    while style is not None and style not in chain and len(chain) < 20:
        chain.append(style)
        base = style.base_style
        style = base if isinstance(base, ParagraphStyle) else None
    return chain


def _is_title(style: ParagraphStyle | None) -> bool:
    return any((s.name or "").lower() == "title" for s in _styles(style))


def _heading_level(block: Paragraph, style: ParagraphStyle | None) -> int | None:
    """1..9 from a "Heading N" style, else from the paragraph's or its style's outline level."""
    for s in _styles(style):
        match = _HEADING_STYLE.fullmatch(s.name or "")
        if match:
            return int(match.group(1))
    for ppr in _pprs(block, style):
        level = ppr.outlineLvl
        if level is not None and level.val < _BODY_OUTLINE_LEVEL:
            return int(level.val) + 1
    return None


def _list_depth(block: Paragraph, style: ParagraphStyle | None) -> int | None:
    """The nesting depth (0 = top) of a numbered or bulleted paragraph, else None: the
    paragraph's own numbering level, else the N of a "List Bullet N" style, else its style's."""
    styles = _styles(style)
    own = block._p.pPr
    depth = _numbering_level(own) if own is not None else None
    if depth is not None:
        return depth
    for s in styles:
        match = _LIST_STYLE.fullmatch(s.name or "")
        if match:
            return int(match.group(1) or 1) - 1
    for s in styles:
        ppr = s.element.pPr
        depth = _numbering_level(ppr) if ppr is not None else None
        if depth is not None:
            return depth
    return None


def _numbering_level(ppr: CT_PPr) -> int | None:
    """The w:ilvl of a paragraph's w:numPr: 0 when numbered without a level, None when not."""
    numbering = ppr.find(qn("w:numPr"))
    if numbering is None:
        return None
    ilvl = numbering.find(qn("w:ilvl"))
    value = ilvl.get(qn("w:val")) if ilvl is not None else None
    return int(value) if value is not None and value.isdigit() else 0


def _pprs(block: Paragraph, style: ParagraphStyle | None) -> list[CT_PPr]:
    """Paragraph properties that apply, the paragraph's own first, then its style chain's."""
    pprs = [block._p.pPr]
    pprs.extend(s.element.pPr for s in _styles(style))
    return [p for p in pprs if p is not None]


def _rows(table: Table) -> list[str]:
    """Table rows as "a | b"; a merged cell, which python-docx repeats, is written once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            if cell._tc not in seen:
                seen.append(cell._tc)
                cells.append(cell.text)
        rows.append(table_row(cells))
    return rows
