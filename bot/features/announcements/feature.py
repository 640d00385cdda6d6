"""Announcements (upgrades, security notices, new features): their sending and "Understood"."""

from __future__ import annotations

from bot.core.feature import Feature
from bot.features.announcements.chat import AnnouncementChat
from bot.features.announcements.service import Announcements


def announcements_feature(announcements: Announcements) -> Feature:
    return Feature(
        name="announcements",
        buttons={"announce": AnnouncementChat(announcements).on_button},
        jobs=announcements.jobs(),
    )
