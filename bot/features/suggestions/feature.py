"""Suggestions: /suggest, and "I have an idea: ..." in plain text."""

from __future__ import annotations

from bot.core.feature import Command, Feature, Help, TextRule
from bot.features.suggestions.chat import SuggestionChat

# After handover's problem form, before tickets: "I have a suggestion: ..." is an idea, not a
# problem report.
TEXT_PRIORITY = 350


def suggestions_feature(chat: SuggestionChat) -> Feature:
    return Feature(
        name="suggestions",
        commands=(
            Command(
                "suggest",
                chat.suggest_command,
                Help("suggest an improvement", "提出改进建议", "IDEA", "建议"),
            ),
        ),
        text=(TextRule(TEXT_PRIORITY, chat.on_text),),
    )
