"""What a chat platform adapter offers the runners: HTTP routes, an embedded mode, a Sender."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.app import App
from bot.protocols import Sender


class ChannelAdapter(Protocol):
    """One platform (Slack, Telegram). `serve` mounts its routes; `run` starts it embedded."""

    name: str

    def http_routes(self) -> list[BaseRoute]:
        """Routes for `aftercare serve` (events, webhooks); verified before anything else."""
        ...

    async def start(self, embedded: bool) -> None:
        """Prepare the client; when `embedded`, also start Socket Mode / long polling."""
        ...

    async def stop(self) -> None: ...

    @property
    def sender(self) -> Sender:
        """Pushes outbox messages to this platform."""
        ...


def configured_channels(app: App) -> list[ChannelAdapter]:
    """The adapters whose tokens are set; each platform adds its own line here."""
    channels: list[ChannelAdapter] = []
    if app.settings.slack_bot_token is not None and (
        app.settings.slack_signing_secret is not None or app.settings.slack_app_token is not None
    ):
        from adapters.slack.adapter import SlackAdapter

        channels.append(SlackAdapter(app))
    if app.settings.telegram_token is not None:
        from adapters.telegram.adapter import TelegramAdapter

        channels.append(TelegramAdapter(app))
    return channels
