"""Sustained FAQ load through the real server: signed Slack DMs with realistic client questions
about the starter KB, at fixed rates, through `aftercare serve` replicas (PostgreSQL: 2 replicas
and 2 workers behind haproxy; SQLite: one process), answered through a fake Slack API.

Prints JSON: per rate, the ack latency (what Slack waits for), the reply latency (post to the
reply reaching Slack), how many were answered, from the KB (cited) or as errors, lost and
duplicated; the knee (highest rate answered fully with reply p99 under 2 s) and peak RSS.

    .venv/bin/python benchmarks/load.py --db postgresql --rates 50,100,125 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    Platform,
    Stack,
    at_rate,
    free_port,
    percentile,
    questions,
    shuffled,
    stack,
)


async def step(
    built: Stack, platform: Platform, rate: float, seconds: float, start: int
) -> dict[str, Any]:
    pool = shuffled(start, questions())
    count = int(rate * seconds)
    began = time.time()

    async def send(n: int) -> None:
        await platform.post(n, "slack", pool[n % len(pool)])

    tasks = await at_rate(rate, count, start, send)
    print(f"rate {rate}: posted in {time.time() - began:.1f} s", file=sys.stderr, flush=True)
    await asyncio.gather(*tasks)
    posted_for = time.time() - began
    print(f"rate {rate}: acknowledged in {posted_for:.1f} s", file=sys.stderr, flush=True)
    numbers = range(start, start + count)
    acked = [n for n in numbers if platform.sent[n].acked is not None]
    chats: dict[str, Any] = {}
    deadline = time.time() + 120
    while time.time() < deadline:
        chats = (await built.stats())["chats"]["slack"]
        if all(f"D{n:07d}" in chats for n in acked):
            break
        await asyncio.sleep(0.5)
    rows = [chats.get(f"D{n:07d}") for n in acked]
    answered = [r for r in rows if r]
    replies = [r["first"] - platform.sent[n].posted for n, r in zip(acked, rows, strict=True) if r]
    acks = [platform.sent[n].acked - platform.sent[n].posted for n in acked]  # type: ignore[operator]
    last = max((r["first"] for r in answered), default=time.time())
    return {
        "rate": rate,
        "events": count,
        "posted_seconds": round(posted_for, 1),
        "acked": len(acked),
        "ack_retries": sum(platform.sent[n].attempts - 1 for n in numbers),
        "ack_ms_p50": _ms(percentile(acks, 50)),
        "ack_ms_p99": _ms(percentile(acks, 99)),
        "answered": len(answered),
        "lost": len(acked) - len(answered),
        "duplicates": sum(r["n"] - 1 for r in answered),
        "cited": sum(1 for r in answered if r["cited"]),
        "error_replies": sum(1 for r in answered if r["errors"]),
        "reply_ms_p50": _ms(percentile(replies, 50)),
        "reply_ms_p99": _ms(percentile(replies, 99)),
        "answered_per_s": round(len(answered) / max(0.001, last - began), 1),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rates = [float(r) for r in args.rates.split(",")]
    work = Path(tempfile.mkdtemp(prefix="aftercare-load-"))
    env = {"AFTERCARE_INTAKE_CONCURRENCY": str(args.concurrency)}
    async with stack(args.db, work, env) as built:
        if args.db == "postgresql":
            ports = [free_port() for _ in range(args.replicas)]
            for i, port in enumerate(ports):
                await built.serve(f"serve{i}", port)
            for i in range(args.workers):
                await built.worker(f"worker{i}")
            _, front = await built.haproxy(ports)
        else:
            front = free_port()
            await built.serve("serve0", front)
        platform = Platform(f"http://127.0.0.1:{front}")
        try:
            # Warm up: the first questions load the model and the index in every process.
            await step(built, platform, 5, 4, 9_000_000)
            results, start, knee = [], 0, None
            for rate in rates:
                result = await step(built, platform, rate, args.seconds, start)
                print(json.dumps(result), file=sys.stderr, flush=True)
                results.append(result)
                start += result["events"]
                healthy = (
                    result["lost"] == 0
                    and result["answered"] == result["events"]
                    and (result["reply_ms_p99"] or 1e9) < 2000
                )
                if healthy:
                    knee = rate
                elif args.stop_at_knee:
                    break
        finally:
            await platform.close()
        rss = {c.name: round(c.peak_rss_mb, 1) for c in built.children if c.name != "haproxy"}
    return {
        "db": args.db,
        "machine": "2 cores",
        "replicas": args.replicas if args.db == "postgresql" else 1,
        "workers": args.workers if args.db == "postgresql" else 0,
        "seconds_per_rate": args.seconds,
        "steps": results,
        "knee_rate": knee,
        "peak_rss_mb": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--rates", default="50,100,125,150")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--stop-at-knee", action="store_true")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
