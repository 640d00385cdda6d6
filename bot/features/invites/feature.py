"""Invites: /start CODE links a chat account to a client's contact."""

from __future__ import annotations

from bot.core.feature import Command, Feature
from bot.features.invites.chat import InviteChat


def invites_feature(chat: InviteChat) -> Feature:
    # The code is a secret: the conversation log keeps "/start [hidden]".
    return Feature(name="invites", commands=(Command("start", chat.start, secret=True),))
