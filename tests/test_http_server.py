"""The ASGI app of `aftercare serve`: /healthz over real HTTP on a free loopback port."""

from __future__ import annotations

import asyncio

import httpx
import uvicorn

from adapters.http.server import build_asgi
from bot.app import App


async def serve_on_free_port(asgi: object) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    """Start uvicorn on 127.0.0.1:0 and return the server, its task and its base URL."""
    config = uvicorn.Config(asgi, host="127.0.0.1", port=0, log_config=None, lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


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
