"""/project: the client's own project at a glance, in English and Chinese, through the real
`aftercare chat`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.cli import invoke
from tests.support.scripted import DELIVERED_DAYS_AGO, chat, setup_acme_portal


def test_project_summary(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    setup_acme_portal(monkeypatch)
    today = datetime.now(UTC).date()
    chat("alice", "/ticket", "CSV export fails", "Clicking Export gives a 500 error", "2")
    out = chat("alice", "/project")
    assert "Portal (gold SLA)" in out
    assert "not accepted yet (0 of 8 handover items confirmed" in out
    assert "days left." in out and "P1: 0.5h / 4h" in out and "P4: 8h / 90h" in out
    assert "Open tickets: 1 (ACME-1)" in out
    delivered = today - timedelta(days=DELIVERED_DAYS_AGO)
    assert f"Next check-in: {(delivered + timedelta(days=30)).isoformat()}" in out
    assert "Next training" not in out
    at = f"{today + timedelta(days=3)} 10:00"
    code, _, err = invoke(
        "training", "add", "Portal", "--kind", "basic", "--at", at,
        "--online", "https://meet.example/portal", "--title", "Portal basics",
    )  # fmt: skip
    assert code == 0, err
    assert f"Next training: {at} (UTC), Portal basics" in chat("alice", "/project")
    out = chat("wang", "/project")
    assert "Portal（gold 级服务）" in out and "未关闭工单：1 (ACME-1)" in out
