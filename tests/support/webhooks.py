"""A webhook receiver on loopback for the tests: checks each delivery's signature with the
`verify` receivers are told to use, records it, and answers as the test scripts it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.features.webhooks.signing import verify
from tests.support.http import serve_on_free_port


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool  # the signature verified with the receiver's secret and clock

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """`answers` are given in turn (status, headers), then 200 for the rest."""

    url: str = ""
    secret: str = ""
    now: Callable[[], float] = time.time
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)

    def asgi(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            headers = {k.lower(): v for k, v in request.headers.items()}
            valid = verify(
                self.secret,
                headers.get("x-aftercare-timestamp", ""),
                body,
                headers.get("x-aftercare-signature", ""),
                self.now(),
            )
            self.got.append(Received(headers, body, valid))
            status, extra = self.answers.pop(0) if self.answers else (200, {})
            return Response(status_code=status, headers=extra)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@asynccontextmanager
async def receiver(now: Callable[[], float] = time.time) -> AsyncIterator[Receiver]:
    """A Receiver listening on 127.0.0.1 at a free port; its URL is `receiver.url`."""
    found = Receiver(now=now)
    server, task, base = await serve_on_free_port(found.asgi())
    found.url = f"{base}/hook"
    try:
        yield found
    finally:
        server.should_exit = True
        await task
