"""What a chat platform adapter offers the runners, and the background work every runner runs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from starlette.routing import BaseRoute

from bot.app import App
from bot.core.intake import Event, process
from bot.core.outbox import pump
from bot.core.protocols import Sender
from bot.core.scheduler import work
from bot.features.webhooks.sender import WebhookSender
from bot.features.webhooks.service import CHANNEL as WEBHOOK


class ChannelAdapter(Protocol):
    """One platform (Slack, Telegram). Its intake (HTTP routes for `serve`, Socket Mode or
    long polling for `run`) records events; `process` handles a recorded one."""

    name: str

    def http_routes(self) -> list[BaseRoute]:
        """Routes for `aftercare serve` (events, webhooks); verified before anything else."""
        ...

    async def start(self, embedded: bool) -> None:
        """Prepare the client; when `embedded`, also start Socket Mode / long polling."""
        ...

    async def stop(self) -> None: ...

    async def process(self, event: Event) -> None:
        """Handle one recorded event (any process may: serve, worker, run); raise to retry."""
        ...

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


async def run_background(
    app: App,
    channels: Sequence[ChannelAdapter],
    stop: asyncio.Event,
    *,
    pump_outbox: bool = True,
    process_events: bool = True,
    run_jobs: bool = False,
) -> None:
    """Process recorded events, deliver the outbox and (worker, run) run due jobs until `stop`
    is set; returns once each has drained what it held (settings `drain_seconds`). Webhook
    deliveries go out wherever the outbox is pumped, with or without a chat channel."""
    settings = app.settings
    tasks = []
    webhooks = WebhookSender(app.db, app.clock) if pump_outbox else None
    if process_events and channels:
        processors = {c.name: c.process for c in channels}
        tasks.append(
            process(
                app.intake,
                processors,
                stop,
                concurrency=settings.intake_concurrency,
                drain_seconds=settings.drain_seconds,
                metrics=app.metrics,
            )
        )
    if webhooks is not None:
        senders: dict[str, Sender] = {c.name: c.sender for c in channels}
        app.outbox.attach(senders)  # a turn's answers are sent by the turn itself
        senders[WEBHOOK] = webhooks
        tasks.append(pump(app.outbox, senders, stop, concurrency=settings.outbox_concurrency))
    if run_jobs:
        tasks.append(work(app.scheduler, stop))
    try:
        await asyncio.gather(*tasks)
    finally:
        if webhooks is not None:
            await webhooks.aclose()
