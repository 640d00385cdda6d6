"""Knowledge-base files: Markdown with YAML front matter, parsed and validated with file:line errors."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import KnowledgeBaseError, os_reason
from bot.core.i18n import detect_lang
from bot.knowledge.articles import Article, Entry, Section
from bot.knowledge.index_files import content_hash, kb_files
from bot.knowledge.passages import passages
from indexer.document_articles import document_article
from indexer.documents import read_document

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED = ("id", "title", "lang")
MARKDOWN = (".md", ".markdown")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,47}$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Unit:
    """One source of articles with its content hash: a Markdown file, or one FAQ-dataset entry."""

    name: str
    hash: str
    articles: tuple[Article, ...]
    id_line: int = 1


def entries_for(article: Article) -> list[Entry]:
    """What gets embedded and BM25-indexed: the title, each example question, and each passage
    of a section with its heading path in front ("Title › Section › Subsection: passage"), so
    a passage that does not repeat its topic's words still carries them (measured: +7 points
    of sections shown right on the starter KB's held-out val questions over the bare passage;
    the headings alone as entries of their own changed nothing beyond noise, at 40% more
    texts to embed on the 10,000-chunk benchmark, so they are not)."""
    texts = [Entry(article.id, article.lang, -1, article.title, "title")]
    texts += [Entry(article.id, article.lang, -1, q, "question") for q in article.questions]
    for i, section in enumerate(article.sections):
        context = " › ".join((article.title, *section.path))
        for start, end in passages(section.text):
            text = f"{context}: {section.text[start:end]}"
            texts.append(Entry(article.id, article.lang, i, text, "passage", start, end))
    return texts


Parsed = Mapping[tuple[str, str], Unit]  # (file path, content hash) -> its unit, as parsed


def read_kb(kb_dir: Path, parsed: Parsed | None = None) -> list[Unit]:
    """Every file of a knowledge-base directory, validated; all problems reported at once. A
    file whose path and content hash are in `parsed` (the last build's, see
    indexer.build.parsed_units) is not parsed again."""
    if not kb_dir.is_dir():
        raise KnowledgeBaseError(f"knowledge-base directory {kb_dir} does not exist")
    units: list[Unit] = []
    problems: list[str] = []
    for path in kb_files(kb_dir):
        try:
            units.append(read_unit(path, path.relative_to(kb_dir).as_posix(), parsed=parsed))
        except KnowledgeBaseError as exc:
            problems.append(str(exc))
    problems.extend(duplicate_problems(units))
    if problems:
        raise KnowledgeBaseError(
            f"{len(problems)} problem(s) in the knowledge base; nothing was indexed, the current "
            "index stays in use:\n" + "\n".join(problems)
        )
    if not units:
        raise KnowledgeBaseError(
            f"no articles or documents (.md, .txt, .html, .docx, .pdf) in {kb_dir}"
        )
    return units


def read_unit(
    path: Path, name: str, category: str | None = None, *, parsed: Parsed | None = None
) -> Unit:
    """One knowledge-base file as a unit; `name` is its path inside the knowledge base. A
    Markdown file starting with front matter is an article as written; anything else is read
    as a document (its category: `category`, else its first folder)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read: {os_reason(exc)}") from None
    known = parsed.get((path.as_posix(), content_hash(data))) if parsed else None
    if known is not None and category is None and known.name == name:
        return known
    if path.suffix.lower() in MARKDOWN and _opens_with_rule(data):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # Said here, with the file and line, whether or not front matter follows.
            raise KnowledgeBaseError(f"{path}:1: not UTF-8 text ({exc.reason})") from None
        if _front_matter(text):
            article = parse_article(text, path.as_posix())
            lines = text.splitlines()
            return Unit(name, content_hash(data), (article,), _key_line(lines, len(lines), "id"))
    folder = name.split("/")[0] if "/" in name else ""
    document = read_document(path)
    article = document_article(document, name, path.as_posix(), category or folder)
    return Unit(name, content_hash(data), (article,))


_KEY = re.compile(r"^\s*(id|title|lang|category|tags|questions|links)\s*:", re.MULTILINE)


def _opens_with_rule(data: bytes) -> bool:
    """Whether a file's first line is `---` (front matter, or a rule above a document's prose)."""
    first = data.removeprefix(b"\xef\xbb\xbf").partition(b"\n")[0]
    return first.strip() == b"---"


def _front_matter(text: str) -> bool:
    """Whether Markdown opening with a `---` line starts with front matter: one of the article
    keys before the closing `---` (a document may open with a rule above its prose)."""
    block = text.partition("\n")[2].split("\n---", 1)[0]
    return _KEY.search(block) is not None


def duplicate_problems(units: list[Unit]) -> list[str]:
    seen: dict[tuple[str, str], Article] = {}
    problems = []
    for unit in units:
        for article in unit.articles:
            key = (article.id, article.lang)
            if key in seen:
                problems.append(
                    f"{article.source}:{unit.id_line}: duplicate id {article.id!r} "
                    f"({article.lang}); also in {seen[key].source}"
                )
            else:
                seen[key] = article
    return problems


def parse_article(text: str, source: str) -> Article:
    """One Markdown file → an Article; a KnowledgeBaseError names file and line on bad input."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise KnowledgeBaseError(f"{source}:1: missing front matter (the file must start with ---)")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise KnowledgeBaseError(f"{source}:1: front matter is not closed with a --- line")
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise KnowledgeBaseError(f"{source}:{line}: bad front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise KnowledgeBaseError(f"{source}:2: front matter must be key: value pairs")

    def fail(key: str, message: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{source}:{_key_line(lines, end, key)}: {message}")

    missing = [k for k in REQUIRED if meta.get(k) in (None, "", [])]
    if missing:
        raise KnowledgeBaseError(
            f"{source}:1: front matter is missing {', '.join(missing)} (required: {', '.join(REQUIRED)})"
        )
    article_id = str(meta["id"])
    if not _ID.match(article_id):
        raise fail("id", f"id {article_id!r} must be lowercase letters, digits, '-', '_' or '.'")
    lang = meta["lang"]
    if lang not in ("en", "zh"):
        raise fail("lang", f"lang must be en or zh, not {lang!r}")
    suffix = Path(source).name.split(".")
    if len(suffix) >= 3 and suffix[-2] in ("en", "zh") and suffix[-2] != lang:
        raise fail("lang", f"lang is {lang!r} but the file name says {suffix[-2]!r}")
    questions = _strings(meta.get("questions") or [], lambda m: fail("questions", m), "questions")
    tags = _strings(meta.get("tags") or [], lambda m: fail("tags", m), "tags")
    links = _strings(meta.get("links") or [], lambda m: fail("links", m), "links")
    title = str(meta["title"]).strip()
    sections = _sections(lines, end + 1, title, source)
    if not sections:
        raise KnowledgeBaseError(
            f"{source}:{end + 1}: empty article: no text after the front matter"
        )
    return Article(
        id=article_id,
        lang=lang,
        title=title,
        source=source,
        sections=tuple(sections),
        questions=tuple(questions),
        category=str(meta.get("category") or Path(source).parent.name),
        tags=tuple(tags),
        links=tuple(links),
    )


def _strings(value: Any, fail: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise fail(f"{key} must be a list of strings")
    out = [str(v).strip() for v in value]
    if any(not v for v in out):
        raise fail(f"{key} has an empty item")
    return out


def _key_line(lines: list[str], end: int, key: str) -> int:
    for i in range(1, end):
        if lines[i].startswith(f"{key}:"):
            return i + 1
    return 1


def _sections(lines: list[str], start: int, title: str, source: str) -> list[Section]:
    """Each heading (`##` to `######`) starts a section whose path is the headings above it;
    text before the first one is the lead, under the title. A `# ` heading before any text is
    the article's title line, not a section (it is never shown raw); a heading inside a code
    fence is text. A heading with no text of its own is an error unless subsections follow."""
    raw: list[tuple[tuple[str, ...], int, list[str]]] = [((), start + 1, [])]
    fenced = False
    for number, line in enumerate(lines[start:], start=start + 1):
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        path, _, body = raw[-1]
        if match is None:
            body.append(line)
            continue
        level, heading = len(match.group(1)), match.group(2)
        if level == 1 and len(raw) == 1 and not "\n".join(body).strip():
            raw[-1] = ((), number + 1, [])  # the title line
            continue
        raw.append(((*path[: max(level - 2, 0)], heading), number, []))
    sections = []
    for i, (path, first, body) in enumerate(raw):
        text = "\n".join(body).strip()
        if text:
            sections.append(Section(path[-1] if path else title, text, first, path))
        elif path and not (i + 1 < len(raw) and len(raw[i + 1][0]) > len(path)):
            raise KnowledgeBaseError(f"{source}:{first}: section {path[-1]!r} is empty")
    return sections


def read_faq_jsonl(path: Path) -> list[Unit]:
    """An evaluation FAQ (`{"id", "question", "answer", "paraphrases"}` a line) as units."""
    units = []
    with path.open("rb") as rows:
        for number, raw in enumerate(rows, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                article_id, question = str(row["id"]), str(row["question"])
                paraphrases = [str(p) for p in row.get("paraphrases") or []]
                answer = str(row.get("answer") or "").strip()
            except (ValueError, KeyError, TypeError) as exc:
                raise KnowledgeBaseError(f"{path}:{number}: bad FAQ entry ({exc})") from None
            lang = detect_lang(question + " ".join(paraphrases[:5]))
            sections = (Section(question, answer, number),) if answer else ()
            article = Article(
                id=article_id,
                lang=lang,
                title=question,
                source=f"{path.as_posix()}:{number}",
                sections=sections,
                questions=tuple(paraphrases),
            )
            units.append(Unit(f"{path.name}:{article_id}", content_hash(raw), (article,), number))
    problems = duplicate_problems(units)
    if problems:
        raise KnowledgeBaseError("\n".join(problems))
    return units
