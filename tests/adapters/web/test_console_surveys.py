"""The console's surveys: totals, the monthly trend chart, and the follow-up tasks low scores
opened, which staff mark done; agents see their clients' only, and comments stay text."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.features.surveys.models import Survey
from tests.support.console import add_staff, console_client, csrf_of, post_form, sign_in

PNG = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert(1)</script> too slow"


async def _low_nps(app: App) -> int:
    """Alice answers the Portal NPS with a 3 and a comment: one open follow-up task."""
    project_id = await app.handover.project_id("ACME/Portal")
    assert await app.surveys.send_nps(project_id, 0, app.clock.now()) == 2
    async with app.db.session() as session:
        survey = await session.scalar(select(Survey).where(Survey.kind == "nps").limit(1))
        assert survey is not None
    await app.surveys.vote(survey.id, 3, survey.client_id)
    await app.surveys.comment(survey.id, EVIL, survey.client_id)
    [task] = await app.surveys.followups()
    return task.id


async def test_the_page_shows_scores_trend_and_low_scores_and_marks_one_done(
    seeded: App,
) -> None:
    task_id = await _low_nps(seeded)
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        page = await client.get("/console/surveys")
        assert page.status_code == 200
        assert "-100" in page.text  # NPS of one detractor
        assert '<img class="chart" src="/console/surveys/trend.png"' in page.text
        assert (
            EVIL not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; too slow" in page.text
        )
        trend = await client.get("/console/surveys/trend.png")
        assert trend.status_code == 200 and trend.content.startswith(PNG)
        done = await post_form(
            client, "/console/surveys", f"/console/surveys/followups/{task_id}", {"note": "called"}
        )
        assert done.status_code == 303 and done.headers["location"] == "/console/surveys"
        [task] = await seeded.surveys.followups(include_done=True)
        assert (task.state, task.done_by, task.note) == ("done", "Dana", "called")
        assert (
            f"/console/surveys/followups/{task_id}"
            not in (await client.get("/console/surveys")).text
        )
        everything = await client.get("/console/surveys?all=1")
        assert "Done by" in everything.text and "called" in everything.text


async def test_an_agent_sees_only_their_clients_surveys(seeded: App) -> None:
    task_id = await _low_nps(seeded)
    await seeded.directory.add_client("Beta Ltd", "BETA")
    ari = await add_staff(seeded, "Ari", role="agent", clients=("BETA",))
    async with console_client(seeded) as client:
        await sign_in(client, ari)
        page = await client.get("/console/surveys")
        assert page.status_code == 200 and "too slow" not in page.text and "-100" not in page.text
        assert (await client.get("/console/surveys/trend.png")).status_code == 404
        closed = await client.post(
            f"/console/surveys/followups/{task_id}", data={"csrf": csrf_of(page.text)}
        )
        assert closed.status_code == 404
    assert [t.state for t in await seeded.surveys.followups()] == ["open"]
