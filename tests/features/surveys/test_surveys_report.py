"""The survey report (CSAT average, NPS, response rate, monthly trend) and the survey CLI."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.features.surveys.models import Survey, SurveyFollowUp
from bot.features.surveys.report import SurveyRecord, report_json, survey_report
from bot.storage.models import Client, Project
from tests.support.cli import invoke

MARCH, APRIL = datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC)


def _record(kind: str, state: str, score: int | None, at: datetime) -> SurveyRecord:
    return SurveyRecord(kind, state, score, at, "ACME", "Portal")


def test_csat_average_nps_response_rate_and_months() -> None:
    records = [
        _record("csat", "answered", 5, MARCH),
        _record("csat", "answered", 2, MARCH),
        _record("csat", "sent", None, MARCH),
        _record("csat", "skipped", None, MARCH),  # never sent: not in the response rate
        _record("nps", "answered", 10, MARCH),
        _record("nps", "answered", 9, APRIL),
        _record("nps", "answered", 7, APRIL),
        _record("nps", "answered", 3, APRIL),
        _record("nps", "sent", None, APRIL),
    ]
    report = survey_report(records)
    assert (report.csat.sent, report.csat.answered, report.csat.skipped) == (3, 2, 1)
    assert report.csat.average == 3.5
    assert report.csat.response_rate == 2 / 3
    assert (report.nps.promoters, report.nps.detractors) == (2, 1)
    assert report.nps.nps == 25.0  # 2 of 4 promoters, 1 of 4 detractors
    assert report.nps.response_rate == 0.8
    assert [m.month for m in report.months] == ["2026-03", "2026-04"]
    march, april = report.months
    assert (march.csat.average, march.nps.nps) == (3.5, 100.0)
    assert (april.csat.average, april.nps.nps) == (None, 0.0)
    data = report_json(report)
    assert data["csat"] == {
        "sent": 3,
        "answered": 2,
        "skipped": 1,
        "response_rate": 0.667,
        "average": 3.5,
    }
    assert data["nps"]["nps"] == 25.0 and data["months"][1]["csat"]["average"] is None


def test_empty_report() -> None:
    report = survey_report([])
    assert report.months == () and report.csat.average is None and report.nps.nps is None
    assert report_json(report)["nps"]["response_rate"] is None


def _insert(url: str) -> None:
    async def work() -> None:
        engine = create_async_engine(url)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                await _rows(session)
        finally:
            await engine.dispose()

    asyncio.run(work())


async def _rows(session: AsyncSession) -> None:
    client_id = await session.scalar(select(Client.id).where(Client.code == "ACME"))
    project_id = await session.scalar(select(Project.id).where(Project.name == "Acme Portal"))
    assert client_id is not None and project_id is not None
    rows = [
        ("csat", "answered", 5, MARCH),
        ("csat", "answered", 1, APRIL),
        ("csat", "sent", None, APRIL),
        ("nps", "answered", 9, APRIL),
    ]
    for n, (kind, state, score, at) in enumerate(rows):
        session.add(
            Survey(
                key=f"test:{n}",
                kind=kind,
                state=state,
                skip_reason=None,
                client_id=client_id,
                project_id=project_id,
                ticket_id=None,
                contact_id=None,
                conversation_id=None,
                lang="en",
                created_at=at,
                asked_at=at,
                reminded_at=None,
                score=score,
                answered_at=at if score is not None else None,
                comment="slow" if score == 1 else None,
            )
        )
        await session.flush()
        if score == 1:
            session.add(
                SurveyFollowUp(
                    survey_id=n + 1,
                    client_id=client_id,
                    state="open",
                    summary="CSAT 1/5 on ACME-7 from Alice",
                    created_at=at,
                    done_at=None,
                    done_by=None,
                    note=None,
                )
            )


def test_report_cli_json_table_and_plot(cli_env: str, tmp_path: Path) -> None:
    assert invoke("demo", "seed")[0] == 0
    _insert(cli_env)
    code, out, err = invoke("report", "surveys", "--json", "--client", "acme")
    assert code == 0, err
    data = json.loads(out)
    assert data["csat"]["average"] == 3.0 and data["csat"]["response_rate"] == 0.667
    assert data["nps"]["nps"] == 100.0
    assert [m["month"] for m in data["months"]] == ["2026-03", "2026-04"]
    code, out, _ = invoke("report", "surveys", "--project", "acme portal")
    assert code == 0 and "CSAT (1-5)" in out and "3.00" in out and "2026-04" in out
    assert (
        json.loads(invoke("report", "surveys", "--json", "--project", "Other")[1])["months"] == []
    )
    plot = tmp_path / "trend" / "surveys.png"
    code, out, _ = invoke("report", "surveys", "--plot", str(plot))
    assert code == 0 and f"trend written to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 5000


def test_report_cli_bad_input(cli_env: str, tmp_path: Path) -> None:
    invoke("demo", "seed")
    code, _, err = invoke("report", "surveys", "--client", "nobody")
    assert code == 1 and err.strip() == "error: no client 'nobody'; see `aftercare client list`"
    code, _, err = invoke("report", "surveys", "--plot", str(tmp_path / "trend.jpg"))
    assert code == 1 and "--plot writes a PNG file" in err
    assert not (tmp_path / "trend.jpg").exists()


def test_followup_cli(cli_env: str) -> None:
    invoke("demo", "seed")
    _insert(cli_env)
    code, out, _ = invoke("survey", "followups")
    assert code == 0 and "CSAT 1/5 on ACME-7 from Alice" in out and '"slow"' in out
    code, out, _ = invoke("survey", "done", "1", "--by", "carol", "--note", "called")
    assert code == 0 and out.strip() == "#1: done by carol"
    assert invoke("survey", "followups")[1].strip() == "no follow-ups"
    assert "done by carol: called" in invoke("survey", "followups", "--all")[1]
    code, _, err = invoke("survey", "done", "99")
    assert code == 1 and err.strip() == "error: no survey follow-up 99"
