"""The console's two busiest lists on a big install: GET /console/inbox and /console/tickets
(first page, and a filtered page) with 10,000 conversations (2,000 waiting for or with a
person) and 50,000 tickets in a fresh migrated SQLite file, through the ASGI app as an admin
and as an agent of three clients. Prints JSON: rows seeded, seed seconds, p50/p99 ms per page.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.http.server import build_asgi
from bot.app import build_app
from bot.core.clock import SystemClock
from bot.core.settings import Settings
from bot.features.escalation.models import Escalation
from bot.features.tickets.models import Ticket, TicketCounter, TicketEvent
from bot.storage.migrate import upgrade_async
from bot.storage.models import Client, Contact, Conversation, Message, Project

CLIENTS, CONVERSATIONS, ESCALATED, TICKETS = 20, 10_000, 2_000, 50_000
RUNS = 200
PASSWORD = "benchmark password"
STATUSES = (*["resolved"] * 5, *["closed"] * 2, "new", "acknowledged", "in_progress")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def seed(url: str) -> dict[str, int]:
    rng = random.Random(17)
    now = datetime.now(UTC)
    engine = create_async_engine(url)
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["clients"] = [
        {"id": c, "name": f"Client {c}", "code": f"C{c:02d}", "created_at": now}
        for c in range(1, CLIENTS + 1)
    ]
    rows["projects"] = [
        {
            "id": c,
            "client_id": c,
            "name": "Main",
            "delivered_on": date(2025, 1, 1),
            "accepted_on": None,
            "warranty_until": None,
            "sla_tier": ("gold", "silver", "bronze")[c % 3],
            "timezone": "Europe/Berlin",
            "created_at": now,
        }
        for c in range(1, CLIENTS + 1)
    ]
    rows["contacts"] = [
        {
            "id": n,
            "client_id": (n - 1) % CLIENTS + 1,
            "handle": f"user{n}",
            "name": f"User {n}",
            "email": None,
            "lang": "en",
            "timezone": None,
            "created_at": now,
        }
        for n in range(1, 1001)
    ]
    conversations, messages, handoffs = [], [], []
    for n in range(1, CONVERSATIONS + 1):
        contact = rng.randint(1, 1000)
        client = (contact - 1) % CLIENTS + 1
        at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 90))
        conversations.append(
            {
                "id": n,
                "channel": "slack",
                "workspace_id": "T1",
                "chat_id": f"D{n}",
                "thread_id": "",
                "client_id": client,
                "contact_id": contact,
                "flow": None,
                "created_at": at,
                "updated_at": at,
            }
        )
        for k, direction in enumerate(("in", "out", "in")):
            messages.append(
                {
                    "conversation_id": n,
                    "direction": direction,
                    "channel": "slack",
                    "platform_message_id": f"m{n}.{k}" if direction == "in" else None,
                    "sender_id": "U1" if direction == "in" else "aftercare",
                    "sender_name": "",
                    "contact_id": contact if direction == "in" else None,
                    "text": f"message {k} of conversation {n}",
                    "payload": None,
                    "state": "handled",
                    "inbound_id": None,
                    "created_at": at + timedelta(seconds=k),
                }
            )
        if n <= ESCALATED + 3000:  # 2,000 waiting or with a person, 3,000 back with the bot
            state = (
                ("waiting_for_human", "human")[n % 2]
                if n <= ESCALATED
                else ("bot", "closed")[n % 2]
            )
            handoffs.append(
                {
                    "conversation_id": n,
                    "state": state,
                    "reason": "asked for a person",
                    "project_id": client,
                    "taken_by": "Dana" if state == "human" else None,
                    "low_streak": 0,
                    "escalations": 1,
                    "updated_at": at,
                }
            )
    rows["conversations"], rows["messages"], rows["handoffs"] = conversations, messages, handoffs
    tickets, events, counters = [], [], {c: 0 for c in range(1, CLIENTS + 1)}
    for n in range(1, TICKETS + 1):
        client = rng.randint(1, CLIENTS)
        counters[client] += 1
        at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 365))
        status = rng.choice(STATUSES)
        done = at + timedelta(hours=2) if status in ("resolved", "closed") else None
        tickets.append(
            {
                "id": n,
                "client_id": client,
                "number": counters[client],
                "project_id": client,
                "reporter_contact_id": client,
                "conversation_id": rng.randint(1, CONVERSATIONS) if n % 5 == 0 else None,
                "title": f"Ticket {n}: something is off",
                "description": "details",
                "category": "bug",
                "severity": rng.choice(("P1", "P2", "P3", "P3", "P4")),
                "status": status,
                "assignee": rng.choice((None, "Dana", "Ari")),
                "created_at": at,
                "updated_at": at,
                "first_response_due": at + timedelta(hours=4),
                "first_response_warn_at": at + timedelta(hours=3),
                "first_response_at": done,
                "resolution_due": at + timedelta(days=3),
                "resolution_warn_at": at + timedelta(days=2),
                "resolved_at": done,
            }
        )
        events.append(
            {"ticket_id": n, "at": at, "actor": "bench", "kind": "opened", "text": None, "data": {}}
        )
    rows["tickets"], rows["ticket_events"] = tickets, events
    rows["ticket_counters"] = [{"client_id": c, "last_number": k} for c, k in counters.items()]
    tables = {
        "clients": Client,
        "projects": Project,
        "contacts": Contact,
        "conversations": Conversation,
        "messages": Message,
        "handoffs": Escalation,
        "tickets": Ticket,
        "ticket_events": TicketEvent,
        "ticket_counters": TicketCounter,
    }
    async with engine.begin() as connection:
        for name, model in tables.items():
            batch = rows[name]
            for start in range(0, len(batch), 5000):
                await connection.execute(insert(model.__table__), batch[start : start + 5000])  # type: ignore[arg-type]
    await engine.dispose()
    return {name: len(batch) for name, batch in rows.items()}


async def timed(client: httpx.AsyncClient, path: str) -> dict[str, float]:
    for _ in range(5):  # warm up: templates compiled, caches filled
        answer = await client.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    took = []
    for _ in range(RUNS):
        start = time.perf_counter()
        answer = await client.get(path)
        took.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 2),
        "p99_ms": round(took[int(len(took) * 0.99) - 1], 2),
    }


async def signed_in(asgi: Any, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://127.0.0.1")
    form = await client.get("/console/sign-in")
    found = _CSRF.search(form.text)
    assert found
    signed = await client.post(
        "/console/sign-in", data={"email": email, "password": PASSWORD, "csrf": found.group(1)}
    )
    assert signed.status_code == 303, signed.text[:300]
    return client


async def run(tmp: Path) -> dict[str, object]:
    url = f"sqlite+aiosqlite:///{tmp / 'aftercare.db'}"
    await upgrade_async(url)
    start = time.perf_counter()
    seeded = await seed(url)
    seed_seconds = round(time.perf_counter() - start, 1)
    settings = Settings(_env_file=None, data_dir=tmp, database_url=url)  # type: ignore[call-arg]
    app = await build_app(settings, clock=SystemClock())
    try:
        await app.staff.add("Dana", "dana@bench.example", "admin", PASSWORD)
        await app.staff.add(
            "Ari", "ari@bench.example", "agent", PASSWORD, clients=("C01", "C02", "C03")
        )
        asgi = build_asgi(app, [], pump_outbox=False, process_events=False)
        pages = {
            "inbox": "/console/inbox",
            "inbox_page_20": "/console/inbox?page=20",
            "tickets": "/console/tickets",
            "tickets_all": "/console/tickets?status=all",
            "tickets_p1_breached": "/console/tickets?severity=P1&sla=breached",
            "tickets_assignee_page_10": "/console/tickets?assignee=Dana&status=all&page=10",
        }
        results: dict[str, object] = {}
        for who, email in (("admin", "dana@bench.example"), ("agent", "ari@bench.example")):
            client = await signed_in(asgi, email)
            try:
                for name, path in pages.items():
                    results[f"{who}_{name}"] = await timed(client, path)
            finally:
                await client.aclose()
    finally:
        await app.close()
    return {
        "database": "sqlite",
        "rows": seeded,
        "seed_seconds": seed_seconds,
        "runs": RUNS,
        "pages": results,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(run(Path(tmp))), indent=2))


if __name__ == "__main__":
    main()
