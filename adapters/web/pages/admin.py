"""Admin pages: staff accounts (add, role, the clients an agent serves, disable) and the
effective settings with secrets hidden."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.i18n import word
from bot.app import App
from bot.core.settings import shown_settings
from bot.features.accounts.service import ROLES


def routes(app: App) -> list[Route]:
    async def staff(current: Page) -> Response:
        accounts = await app.staff.all()
        clients = await app.directory.list_clients()
        return current.render("admin_staff.html", accounts=accounts, clients=clients, roles=ROLES)

    async def add_staff(current: Page) -> Response:
        added = await app.staff.add(
            current.field("name"),
            current.field("email"),
            current.field("role", "agent"),
            current.form.get("password", ""),
            slack_user_id=current.field("slack_user") or None,
            clients=[c for c in current.field("clients").replace(",", " ").split() if c],
        )
        return current.back(f"{ROOT}/admin/staff", f"{word('done', current.lang)} {added.email}")

    async def change_staff(current: Page) -> Response:
        staff_id = int(current.request.path_params["staff_id"])
        active = {"enable": True, "disable": False}.get(current.field("action"))
        if active is False and staff_id == current.staff.id:
            return current.back(f"{ROOT}/admin/staff", "you cannot disable yourself")
        await app.staff.update(
            staff_id,
            active=active,
            role=current.field("role") or None,
            clients=(
                [c for c in current.field("clients").replace(",", " ").split() if c]
                if "clients" in current.form
                else None
            ),
            slack_user_id=current.form.get("slack_user"),
        )
        if active is False:
            await app.sessions.end_all(staff_id)
        return current.back(f"{ROOT}/admin/staff", word("done", current.lang))

    async def settings(current: Page) -> Response:
        return current.render("admin_settings.html", settings=shown_settings(app.settings))

    return [
        Route("/admin/settings", page(app, settings, admin=True), methods=["GET"]),
        Route("/admin/staff", page(app, staff, admin=True), methods=["GET"]),
        Route("/admin/staff", page(app, add_staff, admin=True), methods=["POST"]),
        Route("/admin/staff/{staff_id:int}", page(app, change_staff, admin=True), methods=["POST"]),
    ]
