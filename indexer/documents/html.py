"""HTML (saved pages, Confluence and Notion exports) read with BeautifulSoup: navigation and
page chrome dropped, <main> or <article> preferred, h1..h6 as the heading path."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import NavigableString, Tag

from indexer.documents.blocks import (
    Event,
    Heading,
    assemble,
    code_block,
    lines_block,
    paragraph,
    readable_stem,
    split_title,
    table_row,
)
from indexer.documents.model import Document

# lxml is a dependency and much faster; the standard library's parser is the fallback.
_PARSER = "lxml" if importlib.util.find_spec("lxml") else "html.parser"

_NOISE = (
    *("script", "style", "nav", "aside", "footer", "noscript", "template", "head", "svg"),
    "iframe",
)
_CHROME_ROLES = re.compile(r"^(navigation|banner|contentinfo|search)$", re.IGNORECASE)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LISTS = ("ul", "ol")
_BLOCKS = frozenset(
    {
        *("address", "article", "blockquote", "body", "caption", "center", "dd", "details"),
        *("dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "hr", "li"),
        *("main", "p", "section", "summary", "tbody", "td", "tfoot", "th", "thead", "tr"),
    }
)


def read(data: bytes, path: Path) -> Document:
    """An HTML file as a Document; the first heading when it is an h1, else <title>, names it."""
    soup = BeautifulSoup(_decode(data), _PARSER)
    page_title = soup.title.get_text() if soup.title else ""
    events: list[Event] = []
    _Walker(events).walk(_content_root(soup))
    h1_title, events = split_title(events)
    title = h1_title or paragraph(page_title) or readable_stem(path)
    return Document(title, assemble(events))


def _decode(data: bytes) -> str:
    """Decode with the BOM or the declared charset, else as UTF-8 with replacement characters."""
    body, bom = EncodingDetector.strip_byte_order_mark(data)
    declared = bom or EncodingDetector.find_declared_encoding(body, is_html=True)
    # Browsers ignore a UTF-16 <meta> in a page that is ASCII-compatible, and so do we.
    if declared and (bom or not declared.lower().startswith(("utf-16", "utf-32"))):
        try:
            return body.decode(declared, errors="replace")
        except (LookupError, ValueError):  # an unknown or non-text codec ("uu", "base64")
            pass
    return body.decode("utf-8", errors="replace")


def _content_root(soup: BeautifulSoup) -> Tag:
    """The part of the page worth reading: chrome removed, <main> or a lone <article> if any.
    A <header> inside <main> or <article> stays: it usually holds the page's h1."""
    for tag in soup.find_all(_NOISE):
        tag.decompose()
    for tag in soup.find_all(role=_CHROME_ROLES):
        tag.decompose()
    for tag in soup.find_all(hidden=True):
        tag.decompose()
    for tag in soup.find_all("header"):
        if tag.find_parent(("main", "article")) is None:  # an article's header holds its h1
            tag.decompose()
    main = soup.find("main") or soup.find(role="main")
    articles = soup.find_all("article")
    root = main if isinstance(main, Tag) else articles[0] if len(articles) == 1 else soup.body
    return root if isinstance(root, Tag) else soup


class _Walker:
    """Walks the DOM in order, turning headings, paragraphs, lists, tables and <pre> into events;
    loose inline text collects until the next block boundary."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.inline: list[str] = []

    def flush(self) -> None:
        text = paragraph("".join(self.inline))
        if text:
            self.events.append(text)
        self.inline.clear()

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype or CDATA
                    self.inline.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name in _HEADINGS:
            self.flush()
            self.events.append(Heading(_HEADINGS[name], paragraph(_text(tag))))
        elif name in _LISTS:
            self.flush()
            self.events.append(lines_block(_items(tag, 0)))
        elif name == "table":
            self.flush()
            self.events.append(lines_block(table_row(cells) for cells in _rows(tag)))
        elif name == "pre":
            self.flush()
            self.events.append(code_block(tag.get_text()))
        elif name == "br":
            self.inline.append("\n")
        elif name in _BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        elif name != "img":
            self.walk(tag)


def _text(node: Tag, skip: tuple[str, ...] = ()) -> str:
    """The text under a node, with a line break at each block boundary (so cells and list
    paragraphs don't run together) and nothing from `skip` elements."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                parts.append(str(child))
        elif isinstance(child, Tag) and child.name not in skip:
            block = child.name in _BLOCKS or child.name in _HEADINGS or child.name in ("br", "pre")
            inner = _text(child, skip)
            parts.append(f"\n{inner}\n" if block else inner)
    return "".join(parts)


def _items(node: Tag, depth: int) -> list[str]:
    """A list's <li> items as "- " lines, nested lists indented under their item."""
    lines: list[str] = []
    for item in node.find_all("li", recursive=False):
        text = paragraph(_text(item, skip=_LISTS))
        if text:
            lines.append(f"{'  ' * depth}- {text}")
        for nested in item.find_all(_LISTS):
            if nested.find_parent("li") is item:
                lines.extend(_items(nested, depth + 1))
    return lines


def _rows(table: Tag) -> list[list[str]]:
    """The rows of a table (not of tables nested in its cells) as lists of cell texts."""
    rows: list[list[str]] = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is table:
            rows.append([_text(cell) for cell in row.find_all(("td", "th"), recursive=False)])
    return rows
