"""What the bot says about suggestions, and how it spots one in plain text."""

from __future__ import annotations

import re

from bot.core.i18n import Phrases

PHRASES: Phrases = {
    "ask_suggestion": {
        "en": "Great, what is your suggestion? (or type cancel)",
        "zh": "好的，请说说您的建议。（输入“取消”可放弃）",
    },
    "suggestion_thanks": {
        "en": "Thank you for the suggestion! I've passed it on to the {project} team.",
        "zh": "感谢您的建议！我已转交给 {project} 团队。",
    },
    "suggestion_thanks_plain": {
        "en": "Thank you for the suggestion! I've passed it on to our team.",
        "zh": "感谢您的建议！我已转交给我们的团队。",
    },
}

_SUGGESTION = re.compile(
    r"^\s*(?:(?:i\s+have|i've\s+got|here(?:'s|\s+is))\s+(?:a|an|one)\s+(?:suggestion|idea)"
    r"|suggestion\s*[:：]"
    r"|我(?:有|想提)(?:一个|个|一条|条)?(?:建议|想法|改进意见))"
    r"[\s:：,，.。!！…-]*",
    re.IGNORECASE,
)


def suggestion_text(text: str) -> str | None:
    """For "I have a suggestion: ..." / "我有一个建议：..." the idea itself ("" when only
    announced); None for any other text."""
    match = _SUGGESTION.match(text)
    if match is None:
        return None
    return text[match.end() :].strip()
