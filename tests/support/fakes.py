"""Test doubles behind the core's Protocols."""

from __future__ import annotations

from bot.core.i18n import Lang
from bot.core.protocols import KbHit, KbResult, Tier


class FakeKnowledgeBase:
    """Answers from a fixed table: question substring → tier and hits."""

    def __init__(self) -> None:
        self.answers: dict[str, KbResult] = {}
        self.questions: list[tuple[str, Lang]] = []

    def add(self, trigger: str, tier: Tier, *hits: KbHit) -> None:
        self.answers[trigger] = KbResult(tier, hits)

    async def lookup(self, question: str, lang: Lang, about: tuple[str, ...] = ()) -> KbResult:
        self.questions.append((question, lang))
        for trigger, result in self.answers.items():
            if trigger in question.lower():
                return result
        return KbResult(Tier.LOW, ())

    async def section_for(
        self, article_id: str, question: str, lang: Lang, about: tuple[str, ...] = ()
    ) -> KbHit | None:
        for result in self.answers.values():
            for hit in result.hits:
                if hit.article_id == article_id:
                    return hit
        return None


def hit(article_id: str, title: str, text: str, score: float = 0.9, lang: Lang = "en") -> KbHit:
    return KbHit(
        article_id=article_id,
        title=title,
        section="Answer",
        text=text,
        source=f"knowledge/{article_id}.{lang}.md",
        lang=lang,
        score=score,
    )
