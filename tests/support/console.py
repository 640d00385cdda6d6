"""The staff console in a test: an HTTP client on the ASGI app, staff accounts, signing in."""

from __future__ import annotations

import re

import httpx

from adapters.http.server import build_asgi
from bot.app import App
from bot.features.accounts.service import StaffView

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def console_client(app: App) -> httpx.AsyncClient:
    """A client of `aftercare serve`'s ASGI app (no channels; lifespan not run)."""
    asgi = build_asgi(app, [], pump_outbox=False, process_events=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://127.0.0.1")


async def add_staff(
    app: App, name: str = "Dana", role: str = "admin", clients: tuple[str, ...] = ()
) -> StaffView:
    email = f"{name.lower().replace(' ', '.')}@support.example"
    return await app.staff.add(name, email, role, PASSWORD, clients=clients)


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, staff: StaffView, password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/console/sign-in")
    return await client.post(
        "/console/sign-in",
        data={"email": staff.email, "password": password, "csrf": csrf_of(form.text)},
    )


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """Open `page`, then submit a form to `action` with the page's CSRF token."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text[:300]
    return await client.post(action, data={**data, "csrf": csrf_of(shown.text)})
