"""A document (PDF, DOCX, HTML, plain text, Markdown without front matter) as a knowledge-base
article: its id from its path, its language from its name or its text, its sections with
their heading paths and pages."""

from __future__ import annotations

import hashlib
import re

from bot.core.i18n import Lang
from bot.knowledge.articles import Article, Section
from indexer.documents import Document

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_NOT_ID = re.compile(r"[^a-z0-9._-]+")
MAX_ID = 48


def document_article(document: Document, name: str, source: str, category: str) -> Article:
    """`name` is the file's path inside the knowledge base (`manuals/tv.zh.pdf`): the same
    name in .en and .zh is one article in two languages, as for Markdown articles."""
    stem, lang = _stem_and_lang(name)
    text = "\n".join(s.text for s in document.sections)
    sections = tuple(
        Section(s.path[-1] if s.path else document.title, s.text, s.line, s.path, s.page)
        for s in document.sections
    )
    return Article(
        id=document_id(stem),
        lang=lang or language_of(text),
        title=document.title,
        source=source,
        sections=sections,
        category=category,
    )


def document_id(stem: str) -> str:
    """A readable article id from a path without its suffix: lowercase, `/` as `.`; a long one
    keeps its start and a hash of the whole, so two long names never collide."""
    slug = _NOT_ID.sub("-", stem.lower().replace("/", ".")).strip("-.") or "document"
    if len(slug) <= MAX_ID and slug[0].isalnum():
        return slug
    digest = hashlib.sha256(stem.encode()).hexdigest()[:8]
    head = slug[: MAX_ID - 9].strip("-.") or "document"
    return f"{head}-{digest}" if head[0].isalnum() else f"d{head[1:]}-{digest}"


def language_of(text: str) -> Lang:
    """Chinese when its CJK characters are at least as many as its Latin words (about one in
    five Latin letters): an English manual quoting a Chinese name stays English, a Chinese one
    full of English product names stays Chinese."""
    sample = text[:20_000]
    cjk = len(_CJK.findall(sample))
    return "zh" if cjk and cjk >= len(_LETTER.findall(sample)) / 5 else "en"


def _stem_and_lang(name: str) -> tuple[str, Lang | None]:
    stem = name.rsplit(".", 1)[0] if "." in name.rsplit("/", 1)[-1] else name
    base, _, tag = stem.rpartition(".")
    if base and tag in ("en", "zh"):
        return base, "zh" if tag == "zh" else "en"
    return stem, None
