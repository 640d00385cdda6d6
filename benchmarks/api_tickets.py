"""Time `GET /api/v1/tickets?limit=50` over 50,000 tickets on a migrated throwaway SQLite file,
through the ASGI app in-process (httpx ASGITransport): the first page, a filtered page
(status + severity) and a page deep in the list (after a cursor 40,000 tickets in).

Usage: python benchmarks/api_tickets.py [TICKETS] [REQUESTS]; prints JSON with p50/p99 (ms).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.http.server import build_asgi
from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from bot.features.accounts.tokens import SCOPES
from bot.features.tickets.models import Ticket, TicketCounter
from bot.storage.migrate import upgrade

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)
STATUSES = ("new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed")
CLIENTS = 20


async def _seed(app: App, tickets: int) -> None:
    """Bulk rows (the service opens one ticket per transaction: too slow for 50,000)."""
    projects = []
    for c in range(CLIENTS):
        code = f"C{c:02d}"
        await app.directory.add_client(f"Client {c}", code)
        project = await app.directory.add_project(code, "App", NOW.date(), 12, "gold", "UTC")
        projects.append(project)
    rows = []
    for n in range(tickets):
        project = projects[n % CLIENTS]
        at = NOW - timedelta(minutes=tickets - n)
        rows.append(
            {
                "client_id": project.client_id,
                "number": n // CLIENTS + 1,
                "project_id": project.id,
                "reporter_contact_id": None,
                "conversation_id": None,
                "title": f"ticket {n}",
                "description": "seeded",
                "category": "bug",
                "severity": f"P{n % 4 + 1}",
                "status": STATUSES[n % len(STATUSES)],
                "assignee": f"agent{n % 7}",
                "created_at": at,
                "updated_at": at,
                "first_response_due": at + timedelta(hours=4),
                "first_response_warn_at": at + timedelta(hours=3),
                "first_response_at": None,
                "resolution_due": at + timedelta(days=3),
                "resolution_warn_at": at + timedelta(days=2),
                "resolved_at": None,
            }
        )
    async with app.db.session() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Ticket), rows[start : start + 5000])
        for project in projects:
            await session.execute(
                insert(TicketCounter).values(
                    client_id=project.client_id, last_number=tickets // CLIENTS + 1
                )
            )


async def _time(
    http: httpx.AsyncClient, url: str, params: dict[str, str], n: int
) -> dict[str, float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await http.get(url, params=params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and len(response.json()["items"]) == 50, response.text
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
    }


async def main(tickets: int, requests: int, tmp: str) -> dict[str, object]:
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=url)  # type: ignore[call-arg]
    app = await build_app(settings, clock=FakeClock(NOW))
    try:
        started = time.perf_counter()
        await _seed(app, tickets)
        seed_seconds = time.perf_counter() - started
        _, token = await app.api_tokens.create("bench", list(SCOPES))
        asgi = build_asgi(app, [], pump_outbox=False, process_events=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=asgi),
            base_url="http://bench/api/v1",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            cursor = None
            for _ in range(800):  # 800 pages of 50: 40,000 tickets in
                page = (
                    await http.get(
                        "/tickets", params={"limit": "50", **({"cursor": cursor} if cursor else {})}
                    )
                ).json()
                cursor = page["next_cursor"]
            assert cursor is not None
            cases = {
                "first_page": {"limit": "50"},
                "filtered": {"limit": "50", "status": "new", "severity": "P3"},
                "filtered_client": {"limit": "50", "client": "C07"},
                "deep_cursor": {"limit": "50", "cursor": cursor},
            }
            results = {
                name: await _time(http, "/tickets", params, requests)
                for name, params in cases.items()
            }
    finally:
        await app.close()
    return {
        "tickets": tickets,
        "requests_per_case": requests,
        "seed_seconds": round(seed_seconds, 1),
        "cases": results,
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(asyncio.run(main(count, repeat, folder)), indent=2))
