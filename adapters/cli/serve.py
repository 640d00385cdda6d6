"""`aftercare serve` (ASGI, any number of replicas) and `aftercare run` (embedded, one process)."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer
import uvicorn

from adapters.channels import configured_channels, run_background
from adapters.cli.params import in_range
from adapters.cli.runtime import opened_app, run, settings
from adapters.http.server import build_asgi
from bot.core.errors import ConfigError


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to bind (0 picks a free one).", callback=in_range(0, 65535))
    ] = 8080,
) -> None:
    """Serve Slack events, the Telegram webhook, /healthz and /metrics over HTTP (ASGI).

    Each event is recorded before it is acknowledged and processed from the record by this
    process or any `aftercare worker`; SIGTERM drains what is in hand, then hands back the rest.
    """

    async def work() -> None:
        async with opened_app(settings(), with_kb=True) as app:
            asgi = build_asgi(app, configured_channels(app))
            config = uvicorn.Config(
                asgi,
                host=host,
                port=port,
                log_config=None,
                lifespan="on",
                access_log=False,
                timeout_graceful_shutdown=max(1, int(app.settings.drain_seconds)),
            )
            await uvicorn.Server(config).serve()

    run(work)


def run_embedded() -> None:
    """Run every configured channel in this process: Slack Socket Mode, Telegram polling,
    the scheduler and the outbox."""

    async def work() -> None:
        async with opened_app(settings(), with_kb=True) as app:
            channels = configured_channels(app)
            if not channels:
                raise ConfigError(
                    "no channel configured: set AFTERCARE_SLACK_BOT_TOKEN and "
                    "AFTERCARE_SLACK_APP_TOKEN, or AFTERCARE_TELEGRAM_TOKEN "
                    "(or use `aftercare chat` for the console)"
                )
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            for channel in channels:
                await channel.start(embedded=True)
            try:
                await run_background(app, channels, stop, run_jobs=True)
            finally:
                for channel in channels:
                    await channel.stop()

    run(work)
