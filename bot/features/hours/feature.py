"""Support hours: what the feature adds (one command; no buttons, text, jobs or listeners)."""

from __future__ import annotations

from bot.core.feature import Command, Feature, Help
from bot.features.hours.chat import HoursChat


def hours_feature(chat: HoursChat) -> Feature:
    return Feature(
        name="hours",
        commands=(
            Command(
                "hours",
                chat.show,
                Help(
                    "when our support team is in, and whether it is now",
                    "支持团队的工作时间及是否在线",
                ),
            ),
        ),
    )
