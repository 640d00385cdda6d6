"""Bytes of a text format as str: UTF-8 (a BOM allowed), or a file:line error naming the byte."""

from __future__ import annotations

from pathlib import Path

from indexer.documents.model import DocumentError


def utf8(data: bytes, path: Path) -> str:
    """The text of a UTF-8 file; a DocumentError gives the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(f"{path}:{line}: not UTF-8 text ({exc.reason})") from None
