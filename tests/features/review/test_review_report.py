"""The project review from seeded data: Markdown with each section and the PNG charts, and
`aftercare report project` through the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.directory import ProjectChange
from bot.core.errors import NotFoundError
from bot.features.review.data import gather
from bot.features.review.render import chart_png, review_charts, write_review
from bot.features.surveys.models import Survey
from bot.storage.models import Contact, Project
from tests.support.cli import invoke

PNG = b"\x89PNG\r\n\x1a\n"


async def _ids(app: App) -> tuple[int, int, dict[str, int]]:
    async with app.db.session() as session:
        project = await session.scalar(select(Project).where(Project.name == "Portal"))
        assert project is not None
        contacts = {c.handle: c.id for c in await session.scalars(select(Contact))}
        return project.id, project.client_id, contacts


async def test_review_has_every_section_and_chart(
    seeded: App, clock: FakeClock, tmp_path: Path
) -> None:
    app = seeded
    project_id, client_id, contacts = await _ids(app)
    await app.directory.update_project(
        "ACME", "Portal", ProjectChange(accepted_on=date(2026, 3, 12))
    )
    opened = [
        await app.tickets.open(
            project_id=project_id, title=title, description="d", severity=sev, category=cat
        )
        for title, sev, cat in (
            ("Login down", "P1", "incident"),
            ("Typo on invoice", "P3", "bug"),
            ("Export wrong totals", "P3", "bug"),
            ("How to add users?", "P4", "question"),
        )
    ]
    await app.tickets.acknowledge(opened[0].ref, "bob")
    await app.tickets.resolve(opened[0].ref, "bob", "fixed")
    await app.tickets.resolve(opened[3].ref, "bob", "answered")

    assert await app.surveys.send_nps(project_id, 0, clock.now()) == 2
    async with app.db.session() as session:
        nps = list(await session.scalars(select(Survey).where(Survey.kind == "nps")))
    await app.surveys.vote(nps[0].id, 9, client_id)

    session_id = (
        await app.training.add("Portal", "basic", "2026-03-05 10:00", address="Acme HQ")
    ).id
    await app.training.register(session_id, client_id, contacts["alice"])
    await app.announcements.create("upgrade", "Upgrade on Sunday.", project="Portal")
    await app.handover.tick(project_id, "user_manual", "bob")
    manual = await app.handover.tick(project_id, "acceptance_tests", "bob")
    await app.handover.confirm(manual.id, client_id=client_id, contact_id=None, by="Alice")
    await app.suggestions.add(client_id=client_id, text="Dark mode, please", author="Alice")

    clock.advance(timedelta(days=10))  # the open P3 tickets are past their targets now
    await app.training.rate(session_id, 5, client_id, contacts["alice"])
    await app.training.set_attendance(session_id, "wang", False)

    await app.tickets.check_sla()  # records the breaches the risk score counts
    review = await gather(app, "portal")
    files = write_review(review, tmp_path / "out")
    assert [f.name for f in files] == [
        "review.md",
        "tickets_by_category.png",
        "sla_attainment.png",
        "surveys_by_month.png",
        "training.png",
    ]
    for chart in files[1:]:
        assert chart.read_bytes().startswith(PNG) and chart.stat().st_size > 5000
    assert review_charts(review) == [f.name for f in files[1:]]
    assert chart_png(review, "training.png").startswith(PNG)  # the console's, without a file
    with pytest.raises(NotFoundError):
        chart_png(review, "review.md")
    text = files[0].read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Project review: Portal (Acme Corp)",
        "## Acceptance",
        "## Risk",
        "## Tickets by category",
        "## SLA attainment",
        "## Satisfaction (CSAT and NPS)",
        "## Training",
        "## Announcements",
        "## Suggestions",
    ]
    assert "| 2026-03-02 | 2026-03-12 (10 days after delivery) | 2027-03-02 | gold |" in text
    assert "Handover checklist: 1 of 8 items confirmed by the client, 1 overdue." in text
    assert (
        "| 1 | Acceptance tests passed | 2026-03-09 | 2026-03-02 bob | 2026-03-02 Alice | - |"
        in text
    )
    assert "| 2 | User manual delivered | 2026-03-09 | 2026-03-02 bob | overdue | - |" in text
    assert review.risk is not None and review.risk.score > 0
    assert f"Score {review.risk.score}/100" in text
    assert "| signal | points | why |" in text
    assert "- 2026-03-02 Alice: Dark mode, please" in text
    assert "4 tickets, 2 still open." in text
    assert "| bug | 2 | 2 |" in text and "| incident | 1 | 0 |" in text
    assert "| P3 | 0/2/0 | 0% | 0/2/0 | 0% |" in text
    assert f"- {opened[1].ref} (P3) first response due" in text
    assert "| NPS (-100..100) | 2 | 1 | 50% | +100 |" in text
    assert (
        f"| {session_id} | 2026-03-05 09:00 | basic | Basic training: Portal | scheduled "
        "| 1 | 1 | 5.0 (1) |" in text
    )
    assert "Attendance: 1 present, 1 marked absent; average rating 5.0 from 1 rating(s)." in text
    assert "| # | send at | state | kind | text | contacts | acknowledged |" in text
    assert "| 2026-03-02 09:00 | queued | upgrade | Upgrade on Sunday. | 2 | 0 |" in text
    assert "![Training attendance and ratings](training.png)" in text


def test_report_project_cli_writes_the_review(cli_env: str, tmp_path: Path) -> None:
    invoke("demo", "seed")
    code, out, err = invoke("report", "project", "Acme Portal", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert out.splitlines() == [
        str(tmp_path / "r" / "review.md"),
        str(tmp_path / "r" / "training.png"),
    ]
    text = (tmp_path / "r" / "review.md").read_text(encoding="utf-8")
    assert "No tickets." in text and "Acme Portal basics" in text and "not accepted yet" in text
    code, out, _ = invoke("report", "project", "Acme Portal")
    assert code == 0 and "/reports/acme-acme-portal-" in out
    code, _, err = invoke("report", "project", "Nope")
    assert code == 1 and err.startswith("error: no project named 'Nope'")
