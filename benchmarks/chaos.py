"""Faults under steady traffic: signed Slack events and Telegram updates at a fixed rate through
the real server while processes are killed and stopped and the database goes away.

PostgreSQL: 2 `serve` replicas behind haproxy and 2 workers; kill -9 a replica and a worker,
SIGTERM the other replica and worker (each restarted), and the database unreachable for 10 s
(every connection cut through a TCP relay). SQLite: one `serve`; kill -9 and SIGTERM it (each
restarted), and the database file locked by another process for 10 s.

The clients act like the platforms: an event not acknowledged (an error, a timeout after 3 s, a
refused connection) is sent again with the same id. At the end every acknowledged event must
have been answered exactly once. Prints JSON: acked, lost, duplicates, never acknowledged.

    .venv/bin/python benchmarks/chaos.py --db postgresql --rate 40 --events 3200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    Child,
    Platform,
    Stack,
    TcpProxy,
    at_rate,
    chat_of,
    free_port,
    questions,
    shuffled,
    stack,
)

Fault = tuple[float, str, Callable[[], Awaitable[None]]]


async def restart(built: Stack, child: Child, how: int, port: int | None) -> None:
    child.signal(how)
    await child.wait(60)
    built.children.remove(child)
    if port is not None:
        await built.serve(child.name, port)
    else:
        await built.worker(child.name)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="aftercare-chaos-"))
    proxy = TcpProxy("127.0.0.1", 5432) if args.db == "postgresql" else None
    if proxy is not None:
        await proxy.start()
    env = {"AFTERCARE_INTAKE_LEASE_SECONDS": "15", "AFTERCARE_OUTBOX_LEASE_SECONDS": "20"}
    faults_done: list[dict[str, Any]] = []
    async with stack(args.db, work, env, proxy.port if proxy else None) as built:
        children: dict[str, Child] = {}
        ports: dict[str, int] = {}
        if args.db == "postgresql":
            for name in ("serve0", "serve1"):
                ports[name] = free_port()
                children[name] = await built.serve(name, ports[name])
            for name in ("worker0", "worker1"):
                children[name] = await built.worker(name)
            _, front = await built.haproxy(list(ports.values()))
        else:
            ports["serve0"] = front = free_port()
            children["serve0"] = await built.serve("serve0", front)

        def current(name: str) -> Child:
            return next(c for c in built.children if c.name == name)

        async def kill(name: str, how: int) -> None:
            await restart(built, current(name), how, ports.get(name))

        async def database_gone() -> None:
            if proxy is not None:
                await proxy.outage(10)
            else:
                await asyncio.to_thread(_lock_sqlite, work / "aftercare.db", 10)

        duration = args.events / args.rate
        if args.db == "postgresql":
            faults: list[Fault] = [
                (0.12, "kill -9 serve0", lambda: kill("serve0", signal.SIGKILL)),
                (0.25, "kill -9 worker0", lambda: kill("worker0", signal.SIGKILL)),
                (0.40, "SIGTERM serve1", lambda: kill("serve1", signal.SIGTERM)),
                (0.55, "database unreachable 10 s", database_gone),
                (0.80, "SIGTERM worker1", lambda: kill("worker1", signal.SIGTERM)),
            ]
        else:
            faults = [
                (0.15, "kill -9 serve0", lambda: kill("serve0", signal.SIGKILL)),
                (0.45, "database locked 10 s", database_gone),
                (0.75, "SIGTERM serve0", lambda: kill("serve0", signal.SIGTERM)),
            ]

        async def inject() -> None:
            began = time.monotonic()
            for share, name, action in faults:
                await asyncio.sleep(max(0.0, began + share * duration - time.monotonic()))
                started = time.monotonic() - began
                await action()
                faults_done.append(
                    {
                        "fault": name,
                        "at_s": round(started, 1),
                        "took_s": round(time.monotonic() - began - started, 1),
                    }
                )

        platform = Platform(f"http://127.0.0.1:{front}", retries=args.retries)
        pool = shuffled(7, questions())

        async def send(n: int) -> None:
            channel = "telegram" if n % 4 == 3 else "slack"
            await platform.post(n, channel, pool[n % len(pool)])

        try:
            injector = asyncio.create_task(inject())
            tasks = await at_rate(args.rate, args.events, 0, send)
            await asyncio.gather(*tasks)
            await injector
            outcome = await _settle(built, platform, args.wait)
        finally:
            await platform.close()
            if proxy is not None:
                await proxy.stop()
        logs = "\n".join(
            p.read_text(encoding="utf-8", errors="replace") for p in built.logs.glob("serve*.log")
        )
    return {
        "db": args.db,
        "machine": "2 cores",
        "rate": args.rate,
        "faults": faults_done,
        **outcome,
        "tracebacks_in_logs": logs.count("Traceback"),
        "work_dir": str(work),
    }


async def _settle(built: Stack, platform: Platform, seconds: float) -> dict[str, Any]:
    """Wait until every acknowledged event is answered (or `seconds` pass), then count."""
    acked = {n: s for n, s in platform.sent.items() if s.acked is not None}
    deadline = time.time() + seconds
    chats: dict[str, dict[str, Any]] = {}
    while True:
        stats = (await built.stats())["chats"]
        chats = {**stats["slack"], **stats["telegram"]}
        missing = [n for n, s in acked.items() if chat_of(s.channel, n) not in chats]
        if not missing or time.time() > deadline:
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)  # a late duplicate would arrive now
    stats = (await built.stats())["chats"]
    chats = {**stats["slack"], **stats["telegram"]}
    answered = {
        n: chats[chat_of(s.channel, n)] for n, s in acked.items() if chat_of(s.channel, n) in chats
    }
    return {
        "events": len(platform.sent),
        "acked": len(acked),
        "never_acked": len(platform.sent) - len(acked),
        "retried_deliveries": sum(s.attempts - 1 for s in platform.sent.values()),
        "answered": len(answered),
        "lost": len(acked) - len(answered),
        "lost_ids": sorted(set(acked) - set(answered))[:20],
        "duplicates": sum(r["n"] - 1 for r in answered.values()),
        "error_replies": sum(1 for r in answered.values() if r["errors"]),
        "cited": sum(1 for r in answered.values() if r["cited"]),
    }


def _lock_sqlite(path: Path, seconds: float) -> None:
    """Hold SQLite's write lock from another connection, as a long migration or backup would."""
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
    finally:
        with contextlib.suppress(sqlite3.Error):
            connection.rollback()
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--rate", type=float, default=40)
    parser.add_argument("--events", type=int, default=3200)
    parser.add_argument("--retries", type=int, default=8)
    parser.add_argument("--wait", type=float, default=180)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
