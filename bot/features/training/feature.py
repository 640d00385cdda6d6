"""Client training: /training in chat, and its reminders and feedback requests."""

from __future__ import annotations

from bot.core.feature import Command, Feature, Help
from bot.features.training.chat import TrainingChat
from bot.features.training.service import TrainingService


def training_feature(training: TrainingService, chat: TrainingChat) -> Feature:
    return Feature(
        name="training",
        commands=(
            Command("training", chat.show, Help("upcoming training sessions", "即将举行的培训")),
        ),
        buttons={"training": chat.on_button},
        jobs=training.jobs(),
    )
