"""Document readers: Markdown, plain text, HTML, DOCX and PDF files as one neutral structure
(a title and sections with heading paths) for the knowledge-base indexer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.core.errors import os_reason
from indexer.documents.docx import read as _docx
from indexer.documents.html import read as _html
from indexer.documents.markdown import read as _markdown
from indexer.documents.model import DocSection, Document, DocumentError
from indexer.documents.pdf import read as _pdf
from indexer.documents.text import read as _text

__all__ = ["SUPPORTED", "DocSection", "Document", "DocumentError", "read_document"]

_READERS: dict[str, Callable[[bytes, Path], Document]] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _text,
    ".html": _html,
    ".htm": _html,
    ".docx": _docx,
    ".pdf": _pdf,
}
SUPPORTED: frozenset[str] = frozenset(_READERS)


def read_document(path: Path) -> Document:
    """Read one file by its suffix (any case). Bad input of any kind (unknown type, unreadable,
    empty, corrupt or truncated) raises DocumentError with a one-line message naming the file."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        kind = f"unknown type {suffix!r}" if suffix else "no file suffix"
        raise DocumentError(f"{path}: {kind} (supported: {', '.join(_READERS)})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {os_reason(exc)}") from None
    if not data.strip():
        raise DocumentError(f"{path}: no text (empty file)")
    try:
        document = reader(data, path)
    except RecursionError:  # parsers recurse into nested markup; hostile files nest deeply
        raise DocumentError(f"{path}: nested too deeply to read") from None
    if not document.sections:
        raise DocumentError(f"{path}: no text")
    return document
