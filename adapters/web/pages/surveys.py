"""Surveys: CSAT and NPS per month (the report's trend chart) for the clients a staff member
serves, and the follow-up tasks low scores opened, which staff mark done."""

from __future__ import annotations

from io import BytesIO

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.charts import png_response
from adapters.web.i18n import word
from bot.app import App
from bot.core.errors import NotFoundError
from bot.features.surveys.chart import draw_trend
from bot.features.surveys.report import SurveyReport, survey_report


def _png(report: SurveyReport) -> bytes:
    buffer = BytesIO()
    draw_trend(report, buffer)
    return buffer.getvalue()


def routes(app: App) -> list[Route]:
    async def surveys(current: Page) -> Response:
        everything = current.request.query_params.get("all") == "1"
        report = survey_report(await app.surveys.find(clients=current.clients))
        tasks = await app.surveys.followups(include_done=everything, clients=current.clients)
        return current.render("surveys.html", report=report, tasks=tasks, everything=everything)

    async def trend(current: Page) -> Response:
        report = survey_report(await app.surveys.find(clients=current.clients))
        if not report.months:
            raise NotFoundError("no surveys yet")
        return await png_response(lambda: _png(report))

    async def done(current: Page) -> Response:
        task = int(current.request.path_params["task_id"])
        await app.surveys.close_followup(
            task, current.staff.name, current.field("note"), clients=current.clients
        )
        return current.back(f"{ROOT}/surveys", word("done", current.lang))

    return [
        Route("/surveys", page(app, surveys), methods=["GET"]),
        Route("/surveys/trend.png", page(app, trend), methods=["GET"]),
        Route("/surveys/followups/{task_id:int}", page(app, done), methods=["POST"]),
    ]
