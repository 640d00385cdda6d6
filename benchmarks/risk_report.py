"""Time `RiskService.report()` (what `aftercare report risk` and the risk job run) over many
projects on a throwaway SQLite file: N projects, each with a checklist, tickets and surveys.

Usage: python benchmarks/risk_report.py [PROJECTS]; prints JSON: projects, seed_seconds,
report_seconds (best of 3), ms_per_project, alerts.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from bot.features.surveys.models import Survey
from bot.storage.migrate import upgrade

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


async def main(projects: int, tmp: str) -> dict[str, object]:
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=url)  # type: ignore[call-arg]
    app = await build_app(settings, clock=FakeClock(NOW))
    try:
        started = time.perf_counter()
        for n in range(projects):
            code = f"C{n:04d}"
            await app.directory.add_client(f"Client {n}", code)
            project = await app.directory.add_project(
                code, "App", NOW.date() - timedelta(days=n % 400), 12, "gold", "UTC"
            )
            if n % 3 == 0:
                await app.tickets.open(
                    project_id=project.id, title="down", description="x", severity="P2"
                )
            async with app.db.session() as session:
                for k in range(4):
                    at = NOW - timedelta(days=20 + 40 * k)
                    session.add(
                        Survey(
                            key=f"b:{n}:{k}", kind="csat" if k % 2 else "nps",
                            state="answered", skip_reason=None, client_id=project.client_id,
                            project_id=project.id, ticket_id=None, contact_id=None,
                            conversation_id=None, lang="en", created_at=at, asked_at=at,
                            reminded_at=None, score=(n + k) % 6, answered_at=at, comment=None,
                        )
                    )  # fmt: skip
        seeded = time.perf_counter() - started
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            risks = await app.risk.report()
            runs.append(time.perf_counter() - started)
        alerts = sum(1 for r in risks if r.score >= app.risk.threshold)
    finally:
        await app.close()
    best = min(runs)
    return {
        "projects": projects,
        "seed_seconds": round(seeded, 2),
        "report_seconds": round(best, 3),
        "ms_per_project": round(1000 * best / projects, 2),
        "alerts": alerts,
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as directory:
        upgrade(f"sqlite+aiosqlite:///{directory}/bench.db")  # Alembic runs its own event loop
        print(json.dumps(asyncio.run(main(count, directory))))
