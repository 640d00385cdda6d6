"""The Starlette app of `aftercare serve`: /healthz, /metrics and every channel's routes; its
lifespan processes recorded events and delivers the outbox beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from adapters.api.app import build_api
from adapters.channels import ChannelAdapter, run_background
from adapters.http.limits import BodyLimit
from adapters.web.console import console_routes
from bot.app import App
from bot.storage.db import is_transient

log = logging.getLogger(__name__)


def build_asgi(
    app: App,
    channels: Sequence[ChannelAdapter],
    *,
    pump_outbox: bool = True,
    process_events: bool = True,
) -> Starlette:
    """One ASGI app; its lifespan starts the channels, then processes recorded events and
    delivers the outbox until shutdown, which drains them (adapters.channels.run_background)."""

    async def healthz(_request: Request) -> JSONResponse:
        names = [c.name for c in channels]
        try:
            await app.db.ping()
        except Exception as exc:
            reason = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            if not (is_transient(exc) or isinstance(exc, TimeoutError | OSError)):
                log.warning("healthz: database check failed", extra={"error": reason})
            return JSONResponse(
                {"status": "unavailable", "database": reason, "channels": names}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok", "channels": names})

    async def metrics(_request: Request) -> Response:
        m = app.metrics
        with contextlib.suppress(Exception):  # the counters still answer without the database
            for state, count in (await app.outbox.backlog()).items():
                m.outbox_backlog.labels(state).set(count)
            for state, count in (await app.intake.backlog()).items():
                m.inbound_backlog.labels(state).set(count)
            for state, count in (await app.scheduler.depth()).items():
                m.job_queue_depth.labels(state).set(count)
        return Response(m.render(), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Mount("/api/v1", build_api(app)),
    ]
    for channel in channels:
        routes.extend(channel.http_routes())
    routes.extend(console_routes(app))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for channel in channels:
            await channel.start(embedded=False)
        stop = asyncio.Event()
        background = asyncio.create_task(
            run_background(
                app, channels, stop, pump_outbox=pump_outbox, process_events=process_events
            )
        )
        try:
            yield
        finally:
            stop.set()
            await background
            for channel in channels:
                await channel.stop()

    async def not_found(request: Request, _exc: Exception) -> Response:
        """A path no route takes. Under /api/ the API's JSON error shape: a path the API's
        mount does not match (one with a line break in it, say) still gets it."""
        if request.url.path.startswith("/api/"):
            error = {"code": "not_found", "message": "No such resource"}
            return JSONResponse({"error": error}, status_code=404)
        return PlainTextResponse("Not Found", status_code=404)

    middleware = [Middleware(BodyLimit, max_bytes=app.settings.max_body_bytes)]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={404: not_found},
    )
