"""The staff console under /console: each page module adds its routes; every page but
sign-in goes through `auth.page` (session, role, CSRF)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.web.auth import ROOT
from adapters.web.pages import (
    admin,
    gaps,
    inbox,
    integrations,
    knowledge,
    projects,
    sign_in,
    surveys,
    tickets,
)
from bot.app import App

STATIC = Path(__file__).parent / "static"


def console_routes(app: App) -> list[BaseRoute]:
    """Mounted by `aftercare serve` at /console."""

    async def home(_request: Request) -> Response:
        return RedirectResponse(f"{ROOT}/inbox", status_code=303)

    routes: list[BaseRoute] = [
        Route("/", home, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    pages = (sign_in, inbox, tickets, projects, knowledge, gaps, surveys, admin, integrations)
    for module in pages:
        routes.extend(module.routes(app))
    return [Mount(ROOT, routes=routes)]
