"""Markdown (CommonMark plus tables) read with markdown-it-py, so `#` lines inside code fences
stay code; an optional leading YAML block is skipped and its `title:` used."""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

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
from indexer.documents.decode import utf8
from indexer.documents.model import Document

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_LISTS = ("bullet_list", "ordered_list")


def read(data: bytes, path: Path) -> Document:
    """A Markdown file as a Document; the first heading, when it is an H1, is the title."""
    source = utf8(data, path)
    meta_title, source = _front_matter(source)
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    events: list[Event] = []
    _blocks(SyntaxTreeNode(parser.parse(source)), events)
    h1_title, rest = split_title(events)
    if meta_title is None or h1_title is None or paragraph(meta_title) == h1_title:
        events = rest
    title = meta_title or h1_title or readable_stem(path)
    return Document(paragraph(title), assemble(events))


def _front_matter(source: str) -> tuple[str | None, str]:
    """The front matter's title and the text with the block blanked (line numbers stay)."""
    lines = source.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, source
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, source
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        meta = None  # meant as front matter, but broken: still not text
    else:
        if meta is not None and not isinstance(meta, dict):
            return None, source  # prose between two rules, not front matter
    title = meta.get("title") if isinstance(meta, dict) else None
    rest = "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    return (str(title) if title not in (None, "") else None), rest


def _blocks(node: SyntaxTreeNode, out: list[Event]) -> None:
    for child in node.children:
        kind = child.type
        if kind == "heading":
            line = child.map[0] + 1 if child.map else 0
            out.append(Heading(int(child.tag[1]), paragraph(_inline(child)), line))
        elif kind == "paragraph":
            out.append(paragraph(_inline(child)))
        elif kind in _LISTS:
            out.append(lines_block(_items(child, 0)))
        elif kind == "table":
            out.append(lines_block(_rows(child)))
        elif kind in ("fence", "code_block"):
            out.append(code_block(child.content))
        elif kind == "html_block":
            out.append(paragraph(_plain(child)))
        elif kind != "hr":
            _blocks(child, out)


def _inline(node: SyntaxTreeNode) -> str:
    """Plain text of inline markup: link text and code kept, images and raw HTML dropped."""
    parts: list[str] = []
    for child in node.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type not in ("image", "html_inline"):
            parts.append(_inline(child))
    return "".join(parts)


def _items(node: SyntaxTreeNode, depth: int) -> list[str]:
    """A list's items as "- " lines, nested lists indented under their item."""
    lines: list[str] = []
    for item in node.children:
        texts: list[str] = []
        nested: list[str] = []
        for child in item.children:
            if child.type in _LISTS:
                nested.extend(_items(child, depth + 1))
            else:
                texts.append(paragraph(_plain(child)))
        text = " ".join(t for t in texts if t)
        if text:
            lines.append(f"{'  ' * depth}- {text}")
        lines.extend(nested)
    return lines


def _plain(node: SyntaxTreeNode) -> str:
    """All text under a block node (a list item's paragraph, quote or code), inline-rendered."""
    if node.type == "inline":
        return _inline(node)
    if node.type in ("fence", "code_block"):
        return node.content
    if node.type == "html_block":
        return html.unescape(_TAGS.sub(" ", node.content))
    return "\n".join(_plain(child) for child in node.children)


def _rows(node: SyntaxTreeNode) -> list[str]:
    rows: list[str] = []
    for part in node.children:
        for row in part.children:
            rows.append(table_row([_inline(cell) for cell in row.children]))
    return rows
