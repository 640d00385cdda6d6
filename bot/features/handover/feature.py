"""Handover and acceptance: /handover in chat, and a checklist for every new project."""

from __future__ import annotations

from bot.core.events import ProjectChanged
from bot.core.feature import Command, Feature, Help, Listen, TextRule
from bot.features.handover.chat import HandoverChat
from bot.features.handover.service import HandoverService

# Before suggestions and tickets: the problem typed after "Report a problem" is this item's,
# not a new ticket form.
TEXT_PRIORITY = 300


def handover_feature(handover: HandoverService, chat: HandoverChat) -> Feature:
    return Feature(
        name="handover",
        commands=(
            Command(
                "handover",
                chat.handover_command,
                Help("confirm the handover checklist", "确认交接清单"),
            ),
        ),
        buttons={"handover": chat.on_button},
        text=(TextRule(TEXT_PRIORITY, chat.on_text),),
        listeners=(Listen(ProjectChanged, handover.project_changed),),
    )
