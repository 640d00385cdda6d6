"""FAQ answers from the knowledge base: every plain text no other feature took, and the
"did you mean" choices."""

from __future__ import annotations

from bot.core.feature import Feature
from bot.features.faq.chat import Faq


def faq_feature(faq: Faq) -> Feature:
    return Feature(name="faq", buttons={"kb": faq.choose}, fallback=faq.answer)
