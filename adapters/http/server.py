"""Builds the Starlette app: /healthz plus every configured channel's routes; pumps the outbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from adapters.channels import ChannelAdapter
from bot.app import App
from bot.outbox import pump


def build_asgi(
    app: App, channels: Sequence[ChannelAdapter], *, pump_outbox: bool = True
) -> Starlette:
    """One ASGI app; its lifespan starts the channels and the outbox delivery loop."""

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "channels": [c.name for c in channels]})

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for channel in channels:
        routes.extend(channel.http_routes())

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for channel in channels:
            await channel.start(embedded=False)
        stop = asyncio.Event()
        task = None
        if pump_outbox and channels:
            senders = {c.name: c.sender for c in channels}
            task = asyncio.create_task(pump(app.outbox, senders, stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            for channel in channels:
                await channel.stop()

    return Starlette(routes=routes, lifespan=lifespan)
