"""Risk score: each signal moves the score and names itself in the reasons; the report reads
each signal from real data; staff hear of a threshold crossing once per crossing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.directory import ProjectChange
from bot.core.settings import Settings
from bot.features.risk.service import ProjectFacts, Risk, score
from bot.features.surveys.models import Survey
from bot.features.surveys.report import SurveyRecord
from bot.storage.models import OutboxItem
from tests.conftest import START
from tests.support.cli import invoke
from tests.support.fakes import FakeKnowledgeBase
from tests.support.helpers import console_message

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
QUIET = ProjectFacts(
    today=NOW.date(),
    open_p1=0,
    open_p2=0,
    breaches=0,
    surveys=(),
    now=NOW,
    last_spoke=NOW - timedelta(days=1),
    delivered_on=date(2026, 1, 1),
    warranty_until=date(2027, 1, 1),
    overdue_items=(),
)


def _survey(kind: str, score_: int, days_ago: int) -> SurveyRecord:
    return SurveyRecord(kind, "answered", score_, NOW - timedelta(days=days_ago), "ACME", "Portal")


@pytest.mark.parametrize(
    ("change", "name", "points", "reason"),
    [
        ({"open_p1": 1}, "tickets", 25, "1 open P1 and 0 open P2 tickets"),
        ({"open_p2": 2}, "tickets", 20, "0 open P1 and 2 open P2 tickets"),
        ({"open_p1": 3}, "tickets", 40, "3 open P1"),  # capped
        ({"breaches": 2}, "sla", 20, "2 SLA breach(es) in the last 30 days"),
        ({"breaches": 9}, "sla", 30, "9 SLA breach(es)"),  # capped
        (
            {"surveys": (_survey("csat", 2, 10), _survey("csat", 3, 20))},
            "csat",
            15,
            "CSAT average 2.5/5 over the last 90 days",
        ),
        (
            {"surveys": (_survey("csat", 5, 120), _survey("csat", 4, 10))},
            "csat_trend",
            10,
            "CSAT fell from 5.0 to 4.0",
        ),
        ({"surveys": (_survey("nps", 3, 10),)}, "nps", 15, "NPS -100 over the last 90 days"),
        (
            {"surveys": (_survey("nps", 10, 100), _survey("nps", 8, 10))},
            "nps_trend",
            10,
            "NPS fell from +100 to +0",
        ),
        ({"last_spoke": NOW - timedelta(days=35)}, "quiet", 10, "last wrote 35 days ago"),
        ({"last_spoke": NOW - timedelta(days=61)}, "quiet", 20, "last wrote 61 days ago"),
        ({"last_spoke": None}, "quiet", 20, "has not written since delivery (151 days)"),
        ({"warranty_until": date(2026, 6, 21)}, "warranty", 15, "warranty ends in 20 days"),
        ({"overdue_items": ("sign_off",)}, "handover", 5, "1 handover item(s) overdue: sign_off"),
        ({"overdue_items": ("a", "b", "c", "d", "e")}, "handover", 20, "5 handover item(s)"),
    ],
)
def test_each_signal_moves_the_score_and_says_why(
    change: dict[str, object], name: str, points: int, reason: str
) -> None:
    assert score(QUIET) == (0, ())
    total, signals = score(replace(QUIET, **change))  # type: ignore[arg-type]
    assert total == points
    assert [(s.name, s.points) for s in signals] == [(name, points)]
    assert reason in signals[0].reason


def test_no_signal_for_good_or_missing_news() -> None:
    fine = replace(
        QUIET,
        surveys=(_survey("csat", 5, 10), _survey("csat", 5, 120), _survey("nps", 9, 10)),
        warranty_until=date(2026, 5, 1),  # ended already: nothing left to warn about
        last_spoke=NOW - timedelta(days=29),
    )
    assert score(fine) == (0, ())
    recent = replace(QUIET, last_spoke=None, delivered_on=NOW.date() - timedelta(days=10))
    assert score(recent) == (0, ())


def test_score_is_capped_at_100() -> None:
    worst = replace(
        QUIET,
        open_p1=5,
        breaches=5,
        surveys=(_survey("csat", 1, 10), _survey("nps", 0, 10)),
        last_spoke=None,
        warranty_until=NOW.date(),
        overdue_items=("a", "b", "c", "d"),
    )
    total, signals = score(worst)
    assert total == 100 and sum(s.points for s in signals) > 100


def _signals(risk: Risk) -> dict[str, str]:
    return {s.name: s.reason for s in risk.signals}


async def _portal(app: App) -> Risk:
    return next(r for r in await app.risk.report() if r.project == "Portal")


async def _add_surveys(app: App, project_id: int, client_id: int) -> None:
    now = app.clock.now()
    rows = [("csat", 5, 120), ("csat", 2, 5), ("nps", 10, 120), ("nps", 2, 5)]
    async with app.db.session() as session:
        for n, (kind, value, days_ago) in enumerate(rows):
            at = now - timedelta(days=days_ago)
            session.add(
                Survey(
                    key=f"risk-test:{n}", kind=kind, state="answered", skip_reason=None,
                    client_id=client_id, project_id=project_id, ticket_id=None, contact_id=None,
                    conversation_id=None, lang="en", created_at=at, asked_at=at,
                    reminded_at=None, score=value, answered_at=at, comment=None,
                )
            )  # fmt: skip


async def test_report_reads_every_signal_from_the_data(seeded: App, clock: FakeClock) -> None:
    app = seeded
    assert (await _portal(app)).signals == ()
    await app.engine.handle(console_message(clock, "hello"))  # alice speaks today
    view = await app.handover.checklist(await app.handover.project_id("Portal"))

    for severity in ("P1", "P2"):
        await app.tickets.open(
            project_id=view.project_id, title=f"{severity} down", description="x", severity=severity
        )
    risk = await _portal(app)
    assert risk.score == 35 and _signals(risk) == {"tickets": "1 open P1 and 1 open P2 tickets"}

    clock.advance(timedelta(hours=5))
    await app.tickets.check_sla()
    risk = await _portal(app)
    assert risk.score == 35 + 30 and "SLA breach(es)" in _signals(risk)["sla"]

    await _add_surveys(app, view.project_id, view.client_id)
    signals = _signals(await _portal(app))
    assert {"csat", "csat_trend", "nps", "nps_trend"} <= set(signals)
    assert "CSAT fell from 5.0 to 2.0" in signals["csat_trend"]

    for ref in [t.ref for t in await app.tickets.find(view.client_id)]:
        await app.tickets.resolve(ref, "bob")
    clock.advance(timedelta(days=31))  # breaches age out; alice is silent; items are overdue
    signals = _signals(await _portal(app))
    assert "tickets" not in signals and "sla" not in signals
    assert signals["quiet"] == "the client last wrote 31 days ago"
    assert signals["handover"].startswith("8 handover item(s) overdue: acceptance_tests")

    today = clock.now().date()
    await app.directory.update_project(
        "ACME", "Portal", ProjectChange(warranty_until=today + timedelta(days=12))
    )
    signals = _signals(await _portal(app))
    assert signals["warranty"] == f"warranty ends in 12 days ({today + timedelta(days=12)})"
    # Once accepted, the checklist is done: overdue items no longer count.
    await app.directory.update_project("ACME", "Portal", ProjectChange(accepted_on=today))
    assert "handover" not in _signals(await _portal(app))


@pytest.fixture
async def staffed(
    settings: Settings, clock: FakeClock, kb: FakeKnowledgeBase
) -> AsyncIterator[App]:
    config = settings.model_copy(
        update={"slack_staff_channel": "CSTAFF", "risk_alert_threshold": 30}
    )
    application = await build_app(config, clock=clock, kb=kb)
    try:
        await application.directory.add_client("Acme Corp", "ACME")
        await application.directory.add_project(
            "ACME", "Portal", START.date(), 12, "gold", "Europe/Berlin"
        )
        yield application
    finally:
        await application.close()


async def _risk_alerts(app: App) -> list[str]:
    async with app.db.session() as session:
        rows = await session.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [str(r.reply["text"]) for r in rows if (r.idempotency_key or "").startswith("risk:")]


async def test_staff_hear_once_per_crossing(staffed: App, clock: FakeClock) -> None:
    app = staffed
    project_id = await app.handover.project_id("Portal")
    assert app.risk.threshold == 30
    assert await app.risk.check() == [] and await _risk_alerts(app) == []

    async def incident() -> list[str]:
        refs = []
        for severity in ("P1", "P2"):
            view = await app.tickets.open(
                project_id=project_id, title="down", description="x", severity=severity
            )
            refs.append(view.ref)
        return refs

    refs = await incident()
    assert [r.score for r in await app.risk.check()] == [35]
    assert await app.risk.check() == []  # still above: no second alert
    alerts = await _risk_alerts(app)
    assert len(alerts) == 1
    assert alerts[0].startswith("Risk: ACME / Portal scores 35 (alert at 30): +35 1 open P1")

    for ref in refs:
        await app.tickets.resolve(ref, "bob")
    assert await app.risk.check() == []  # fell below
    await incident()
    assert len(await app.risk.check()) == 1  # crossed again: told again
    assert len(await _risk_alerts(app)) == 2

    # The recurring job does the same through the scheduler.
    await app.scheduler.ensure_recurring()
    assert await app.scheduler.run_due() >= 1
    assert len(await _risk_alerts(app)) == 2


def test_report_cli(cli_env: str) -> None:
    assert invoke("demo", "seed")[0] == 0
    code, out, err = invoke("report", "risk")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["70", "GLOBEX", "/", "Warehouse", "App", "ALERT"]
    assert "+35  1 open P1 and 1 open P2 tickets" in out and "warranty ends in 20 days" in out
    assert "ACME / Acme Portal" in out and "4 handover item(s) overdue" in out
    code, out, _ = invoke("report", "risk", "--json")
    data = json.loads(out)
    assert data["threshold"] == 60
    assert [p["project"] for p in data["projects"]] == ["Warehouse App", "Acme Portal"]
    assert {s["name"] for s in data["projects"][0]["signals"]} == {"tickets", "quiet", "warranty"}
