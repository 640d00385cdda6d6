"""What every document reader returns: a title and heading-path sections, or a DocumentError."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.errors import KnowledgeBaseError


@dataclass(frozen=True)
class DocSection:
    """One section's own text (not its subsections'), under its heading path.

    `path` leaves out the document title, so () is the text before the first heading. Paragraphs
    are separated by one blank line; list items ("- ...") and table rows ("a | b") keep a line
    each. `page` is where the section starts (PDF only); `line` is its heading's source line
    (Markdown and plain text only).
    """

    path: tuple[str, ...]
    text: str
    page: int | None = None
    line: int = 0


@dataclass(frozen=True)
class Document:
    """A file read into a neutral structure: its title and its non-empty sections in order."""

    title: str
    sections: tuple[DocSection, ...]


class DocumentError(KnowledgeBaseError):
    """A document cannot be read; the one-line message starts with the file (and line)."""


def invalid(path: object, kind: str, exc: BaseException) -> DocumentError:
    """The error "x.docx: not a valid DOCX file (why)", one line whatever the parser said."""
    detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    return DocumentError(f"{path}: not a valid {kind} file ({detail})")
