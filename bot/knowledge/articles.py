"""Articles as the index stores them: one topic id, per language a title and its sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.i18n import Lang


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    line: int = 0


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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "source": self.source,
            "sections": [[s.heading, s.text, s.line] for s in self.sections],
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
            sections=tuple(Section(str(h), str(t), int(n)) for h, t, n in data["sections"]),
            questions=tuple(data["questions"]),
            category=str(data["category"]),
            tags=tuple(data["tags"]),
            links=tuple(data["links"]),
        )


@dataclass(frozen=True)
class Entry:
    """One embedded text: an article's section (`section` >= 0) or example question (-1)."""

    article: str
    lang: Lang
    section: int
    text: str
