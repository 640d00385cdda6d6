"""A database made by an earlier Aftercare (saved as a SQLite dump) opens, upgrades and serves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.app import build_app
from bot.core.settings import Settings
from bot.storage.migrate import upgrade_async

DUMP = Path(__file__).parent / "data" / "db_made_by_main_2026-12-03.sql"


def _restore(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(data_dir / "aftercare.db")
    try:
        connection.executescript(DUMP.read_text(encoding="utf-8"))
    finally:
        connection.close()


async def test_a_database_made_by_the_main_of_2026_12_03_upgrades_and_serves(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var", kb_dir=tmp_path / "kb")
    _restore(settings.data_dir)
    await upgrade_async(settings.resolved_database_url)
    app = await build_app(settings)  # refuses a schema behind the code
    try:
        tickets = await app.tickets.find(client_ref="ACME")
        assert sorted(t.ref for t in tickets) == ["ACME-1", "ACME-2"]
        assert {t.title for t in tickets} == {
            "The export button does nothing",
            "Login page is slow",
        }
        suggestions = await app.suggestions.find(client_ref="ACME")
        assert [s.text for s in suggestions] == ["Add a dark mode to the dashboard"]
        waiting = await app.escalation.states.waiting()
        assert [(w.who, w.client, w.view.state.value) for w in waiting] == [
            ("Alice Martin", "Acme Corp", "waiting_for_human")
        ]
    finally:
        await app.close()
