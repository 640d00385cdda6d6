"""One event mechanism: a feature announces what happened; others listen, each on its own, so
a failing listener is logged and never undoes the change or stops the next listener."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")


@dataclass(frozen=True)
class ProjectChanged:
    """A project was added or its dates changed (follow-ups, surveys and handover listen)."""

    project_id: int


class Events:
    """Listeners per event type, called in the order they subscribed, after the change that
    the event reports is committed."""

    def __init__(self) -> None:
        self._listeners: dict[type[Any], list[Callable[[Any], Awaitable[object]]]] = {}

    def on(self, kind: type[E], listener: Callable[[E], Awaitable[object]]) -> None:
        self._listeners.setdefault(kind, []).append(listener)

    async def emit(self, event: object) -> list[Exception]:
        """Call every listener; what failed is logged and returned (an admin command reports
        it, a chat turn carries on)."""
        failures: list[Exception] = []
        for listener in self._listeners.get(type(event), ()):
            try:
                await listener(event)
            except Exception as exc:
                failures.append(exc)
                log.exception(
                    "event listener failed",
                    extra={
                        "event": type(event).__name__,
                        "listener": getattr(listener, "__qualname__", repr(listener)),
                    },
                )
        return failures
