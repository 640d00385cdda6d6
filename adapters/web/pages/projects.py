"""Projects: the list with risk scores, and one project's dates, handover checklist (staff tick
and untick items), risk signals, follow-ups, training and the review's charts."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.charts import png_response
from adapters.web.i18n import word
from bot.app import App
from bot.core.errors import NotFoundError
from bot.features.handover.service import ChecklistView
from bot.features.review.data import gather_project
from bot.features.review.render import chart_png, review_charts


def routes(app: App) -> list[Route]:
    async def checklist(current: Page, *, with_events: bool = False) -> ChecklistView:
        """The project of the URL; another client's reads like a missing one."""
        project_id = int(current.request.path_params["project_id"])
        view = await app.handover.checklist(project_id, with_events=with_events)
        if current.clients is not None and view.client_id not in current.clients:
            raise NotFoundError(f"no project {project_id}")
        return view

    async def projects(current: Page) -> Response:
        risks = {risk.project_id: risk for risk in await app.risk.report()}
        rows = [
            (project, client, risks.get(project.id))
            for project, client in await app.directory.list_projects()
            if current.clients is None or client.id in current.clients
        ]
        rows.sort(key=lambda row: (-(row[2].score if row[2] else 0), row[1].code, row[0].name))
        return current.render("projects.html", rows=rows, threshold=app.risk.threshold)

    async def project(current: Page) -> Response:
        view = await checklist(current, with_events=True)
        review = await gather_project(app, view.project_id)
        return current.render(
            "project.html",
            review=review,
            view=view,
            schedule=await app.followups.schedule(view.project_id),
            charts=[name.removesuffix(".png") for name in review_charts(review)],
            today=app.clock.now().date(),
            threshold=app.risk.threshold,
        )

    async def tick(current: Page) -> Response:
        view = await checklist(current)
        item, by = current.field("item"), current.staff.name
        if current.field("action") == "untick":
            await app.handover.untick(view.project_id, item, by)
        else:
            await app.handover.tick(view.project_id, item, by)
        return current.back(f"{ROOT}/projects/{view.project_id}", word("done", current.lang))

    async def chart(current: Page) -> Response:
        view = await checklist(current)
        review = await gather_project(app, view.project_id)
        name = current.request.path_params["name"] + ".png"
        return await png_response(lambda: chart_png(review, name))

    return [
        Route("/projects", page(app, projects), methods=["GET"]),
        Route("/projects/{project_id:int}", page(app, project), methods=["GET"]),
        Route("/projects/{project_id:int}/handover", page(app, tick), methods=["POST"]),
        Route("/projects/{project_id:int}/charts/{name}.png", page(app, chart), methods=["GET"]),
    ]
