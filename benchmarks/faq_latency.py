"""One FAQ turn through Engine.handle on a 10,000-chunk KB: p50/p99 over 1,000 questions.

The turn includes the conversation log writes (SQLite). Prints JSON: chunks, questions,
p50_ms, p99_ms, tiers, peak_rss_mb.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import synthetic_kb
from bot import demo
from bot.app import build_app
from bot.core.clock import SystemClock
from bot.core.messages import IncomingMessage
from bot.core.settings import Settings
from bot.knowledge.base import IndexedKnowledgeBase
from bot.knowledge.embedders import make_embedder
from bot.storage.migrate import upgrade_async
from indexer.build import build_index
from indexer.content import read_kb

QUESTIONS = 1000


async def run(tmp: Path, backend: str) -> dict[str, object]:
    kb_dir, index_dir = tmp / "kb", tmp / "index"
    kb_dir.mkdir()
    synthetic_kb.write(kb_dir)
    embedder = make_embedder(backend)
    report = build_index(read_kb(kb_dir), index_dir, embedder, progress=False)
    settings = Settings(_env_file=None, data_dir=tmp, kb_dir=kb_dir, index_dir=index_dir)  # type: ignore[call-arg]
    await upgrade_async(settings.resolved_database_url)
    kb = IndexedKnowledgeBase(
        index_dir,
        kb_dir,
        embedder,
        answer_threshold=settings.faq_answer_threshold,
        suggest_threshold=settings.faq_suggest_threshold,
    )
    app = await build_app(settings, clock=SystemClock(), kb=kb)
    await demo.seed(app)
    rng = random.Random(11)
    kinds: Counter[str] = Counter()
    times = []
    try:
        for i in range(QUESTIONS + 20):
            message = IncomingMessage(
                channel="console",
                workspace_id="",
                chat_id="console:alice",
                sender_id="alice",
                sender_name="Alice",
                text=synthetic_kb.question(rng),
                button_payload=None,
                platform_message_id=f"bench-{i}",
                received_at=app.clock.now(),
            )
            started = time.perf_counter()
            replies = await app.engine.handle(message)
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 20:  # the first turns load the index and warm the caches
                times.append(elapsed)
                kinds.update(r.kind for r in replies)
    finally:
        await app.close()
    times.sort()
    return {
        "backend": backend,
        "chunks": report.chunks,
        "entries": report.entries,
        "questions": len(times),
        "p50_ms": round(times[len(times) // 2], 2),
        "p99_ms": round(times[int(len(times) * 0.99)], 2),
        "replies": dict(kinds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "use"
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(run(Path(tmp), backend))))


if __name__ == "__main__":
    main()
