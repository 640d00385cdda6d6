"""Project info: /project, the client's project at a glance."""

from __future__ import annotations

from bot.core.feature import Command, Feature, Help
from bot.features.project_info.chat import ProjectInfoChat


def project_info_feature(chat: ProjectInfoChat) -> Feature:
    return Feature(
        name="project_info",
        commands=(
            Command(
                "project",
                chat.project_command,
                Help(
                    "your project: acceptance, warranty, SLA, next check-in",
                    "项目概况：验收、质保、服务级别、下次回访",
                ),
            ),
        ),
        buttons={"project": chat.on_button},
    )
