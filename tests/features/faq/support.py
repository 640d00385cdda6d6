"""What the FAQ feature's tests share: a deterministic embedder, an engine to ask through."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import Reply
from tests.support.helpers import console_message

# Questions that share a topic word mean the same thing to the fake embedder.
TOPICS = ("invoice", "发票", "vpn", "printer", "holiday")
_SAME = {"发票": "invoice"}


def fake_embed(texts: list[str]) -> np.ndarray:
    """One axis per topic word (Chinese and English alike) plus a little per-text noise, so
    questions on one topic are close (cosine ~0.99) and on different topics far apart."""
    axes = sorted(set(_SAME.get(t, t) for t in TOPICS))
    rows = np.zeros((len(texts), len(axes) + 8), dtype=np.float32)
    for i, text in enumerate(texts):
        topic = next((_SAME.get(t, t) for t in TOPICS if t in text.lower()), None)
        if topic is not None:
            rows[i, axes.index(topic)] = 1.0
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
        rows[i, len(axes) :] = np.random.default_rng(seed).normal(0, 0.05, 8)
        if topic is None:
            rows[i, len(axes) :] *= 20  # off-topic texts point anywhere
    return rows


async def ask(
    app: App, clock: FakeClock, user: str, text: str, payload: str | None = None
) -> list[Reply]:
    """One turn through the engine as a console contact, a minute after the last."""
    clock.advance(timedelta(minutes=1))
    return await app.engine.handle(console_message(clock, text, user, payload=payload))
