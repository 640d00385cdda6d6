"""FAQ drafts learned from staff answers: written to `<kb>/drafts/`, ignored by the indexer
until `aftercare kb approve ID` moves them into the knowledge base."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.i18n import detect_lang
from bot.knowledge.index_files import DRAFTS_DIR as DRAFTS

DEFAULT_CATEGORY = "support"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,47}$")
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


@dataclass(frozen=True)
class Draft:
    id: str
    path: Path


def drafts_dir(kb_dir: Path) -> Path:
    return kb_dir / DRAFTS


def write_draft(
    kb_dir: Path,
    draft_id: str,
    question: str,
    answer: str,
    *,
    source: str = "",
    examples: Sequence[str] = (),
    tags: Sequence[str] = ("handoff",),
) -> Draft:
    """One article in the knowledge-base format: the client's question as title and example
    question (with `examples`, more phrasings clients used; the indexer embeds them with the
    article), the staff answer as its text. Rewriting the same id replaces the draft."""
    if not _ID.match(draft_id):
        raise InvalidInputError(f"bad draft id {draft_id!r}")
    question, answer = " ".join(question.split()), answer.strip()
    if not question or not answer:
        raise InvalidInputError("a FAQ draft needs both a question and an answer")
    lang = detect_lang(question + " " + answer)
    phrasings = dict.fromkeys(
        text[:500] for text in (" ".join(e.split()) for e in (question, *examples)) if text
    )
    meta = {
        "id": draft_id,
        "title": question[:120],
        "lang": lang,
        "category": DEFAULT_CATEGORY,
        "tags": list(tags),
        "questions": list(phrasings),
    }
    if source:
        meta["source"] = source
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    folder = drafts_dir(kb_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{draft_id}.{lang}.md"
    path.write_text(f"---\n{front}\n---\n{answer}\n", encoding="utf-8")
    return Draft(draft_id, path)


def draft_id_of(path: Path) -> str:
    """The id of a draft file, named `<id>.<lang>.md` by write_draft (an id may hold dots)."""
    return path.name.rsplit(".", 2)[0]


def draft_files(kb_dir: Path, draft_id: str) -> list[Path]:
    """The draft's files (one per language); NotFoundError when there is none."""
    if not _ID.match(draft_id):
        raise InvalidInputError(f"bad draft id {draft_id!r}")
    files = sorted(drafts_dir(kb_dir).glob(f"{draft_id}.*.md"))
    if not files:
        raise NotFoundError(f"no draft {draft_id} in {drafts_dir(kb_dir)}")
    return files


def list_drafts(kb_dir: Path) -> list[Path]:
    folder = drafts_dir(kb_dir)
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def approve(kb_dir: Path, draft_id: str) -> list[Path]:
    """Move a draft into `<kb>/<category>/` (the category in its front matter, as edited)."""
    moved = []
    for path in draft_files(kb_dir, draft_id):
        category = _category_of(path)
        target = kb_dir / category / path.name
        if target.exists():
            raise InvalidInputError(f"{target} exists already; rename the draft's id first")
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        moved.append(target)
    return moved


def _category_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    parts = text.split("---", 2)
    meta = yaml.safe_load(parts[1]) if len(parts) == 3 else None
    category = str(meta.get("category") or DEFAULT_CATEGORY) if isinstance(meta, dict) else ""
    if not _CATEGORY.match(category) or category == DRAFTS:
        raise InvalidInputError(f"{path}: category {category!r} is not a usable folder name")
    return category
