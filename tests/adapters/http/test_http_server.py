"""The ASGI app of `aftercare serve`: /healthz over real HTTP on a free loopback port."""

from __future__ import annotations

import httpx

from adapters.http.server import build_asgi
from bot.app import App
from tests.support.http import serve_on_free_port


async def test_healthz_over_real_http(app: App) -> None:
    server, task, base = await serve_on_free_port(build_asgi(app, []))
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            response = await client.get("/healthz")
            missing = await client.post("/slack/events", content=b"{}")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "channels": []}
        assert missing.status_code == 404  # no Slack configured: no route
    finally:
        server.should_exit = True
        await task
