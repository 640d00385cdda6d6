"""Serving an ASGI app in the test's own event loop on a free loopback port."""

from __future__ import annotations

import asyncio

import uvicorn


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
