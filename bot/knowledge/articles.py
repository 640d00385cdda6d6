"""Articles as the index stores them: one topic id, per language a title and its sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.i18n import Lang

EntryKind = Literal["title", "question", "passage"]


@dataclass(frozen=True)
class Section:
    """A heading's own text. `path` is the heading path below the document title (outermost
    first; empty for the lead, the text before the first heading, whose `heading` is the
    title); `page` is where it starts in a paged document (PDF)."""

    heading: str
    text: str
    line: int = 0
    path: tuple[str, ...] = ()
    page: int | None = None

    @property
    def trail(self) -> str:
        """The heading path as a reader sees it: "Settings › Picture › Picture mode"."""
        return " › ".join(self.path) if self.path else self.heading


@dataclass(frozen=True)
class Article:
    """One language version of a topic; the same `id` in en and zh is one article."""

    id: str
    lang: Lang
    title: str
    source: str
    sections: tuple[Section, ...]
    questions: tuple[str, ...] = ()
    category: str = ""
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = field(default=())

    def is_lead(self, index: int) -> bool:
        """The text under the title before the first heading, when headed sections follow: a
        summary of the whole article, shown only when no section answers better."""
        return not self.sections[index].path and len(self.sections) > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "source": self.source,
            "sections": [[s.heading, s.text, s.line, list(s.path), s.page] for s in self.sections],
            "questions": list(self.questions),
            "category": self.category,
            "tags": list(self.tags),
            "links": list(self.links),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        return cls(
            id=str(data["id"]),
            lang="zh" if data["lang"] == "zh" else "en",
            title=str(data["title"]),
            source=str(data["source"]),
            sections=tuple(
                Section(str(h), str(t), int(n), tuple(map(str, path)), page)
                for h, t, n, path, page in data["sections"]
            ),
            questions=tuple(data["questions"]),
            category=str(data["category"]),
            tags=tuple(data["tags"]),
            links=tuple(data["links"]),
        )


@dataclass(frozen=True)
class Entry:
    """One embedded text: an article's title or example question (`section` -1), or a passage
    of a section's text (characters `start`:`end` of it)."""

    article: str
    lang: Lang
    section: int
    text: str
    kind: EntryKind = "passage"
    start: int = 0
    end: int = 0
