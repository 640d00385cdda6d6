"""Scheduled follow-ups: check-ins after delivery and warranty notices, moved when a project's
dates change."""

from __future__ import annotations

from bot.core.events import ProjectChanged
from bot.core.feature import Feature, Listen
from bot.features.followups.chat import on_button
from bot.features.followups.service import FollowUps


def followups_feature(followups: FollowUps) -> Feature:
    return Feature(
        name="followups",
        buttons={"followup": on_button},
        jobs=followups.jobs(),
        listeners=(Listen(ProjectChanged, followups.project_changed),),
    )
