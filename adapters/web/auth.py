"""Every console page goes through `page()`: a live session or the sign-in page, admin pages
for admins only, and on every POST a same-origin check and the session's CSRF token."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from adapters.web.i18n import choose_lang
from adapters.web.render import html
from bot.app import App
from bot.core.errors import AftercareError, NotFoundError
from bot.core.i18n import Lang
from bot.features.accounts.service import StaffView
from bot.features.accounts.sessions import Session

log = logging.getLogger(__name__)
ROOT = "/console"
SESSION_COOKIE = "aftercare_session"
FLASH_COOKIE = "aftercare_flash"
MAX_FORM_BYTES = 256 * 1024


@dataclass
class Page:
    """One request to a console page: who asks, in which language, with which form."""

    request: Request
    app: App
    session: Session
    lang: Lang
    form: Mapping[str, str] = field(default_factory=dict)

    @property
    def staff(self) -> StaffView:
        return self.session.staff

    @property
    def clients(self) -> frozenset[int] | None:
        """The client ids this staff member serves; None for every client (admins)."""
        return self.staff.clients

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return html(self.request, template, self.lang, status, **values)

    def field(self, name: str, default: str = "") -> str:
        return self.form.get(name, default).strip()

    def back(self, url: str, flash: str | None = None) -> RedirectResponse:
        """POST-redirect-GET, with a one-time message shown on the next page."""
        response = RedirectResponse(url, status_code=303)
        if flash:
            set_flash(response, self.request, flash)
        return response


Handler = Callable[[Page], Awaitable[Response]]


def is_secure(request: Request) -> bool:
    """Secure cookies, except over plain HTTP to this machine itself (the demo, tests)."""
    if request.url.scheme == "https":
        return True
    host = request.url.hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def set_flash(response: Response, request: Request, text: str) -> None:
    response.set_cookie(
        FLASH_COOKIE,
        quote(text[:300]),
        max_age=60,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_secure(request),
    )


def same_origin(request: Request) -> bool:
    """A POST's Origin (or Referer) must be this console's own host."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # old browsers and CLI clients; the CSRF token still guards
    return urlsplit(origin).netloc == request.headers.get("host", "")


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: a console path only, never another site."""
    if value and value.startswith(ROOT + "/") and not value.startswith("//") and "\\" not in value:
        return value
    return ROOT + "/"


def page(
    app: App, handler: Handler, *, admin: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        session = await app.sessions.resume(request.cookies.get(SESSION_COOKIE))
        lang = choose_lang(request, session.staff.lang if session else None)
        if session is None:
            if request.method == "GET":
                target = quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else "")
                )
                return RedirectResponse(f"{ROOT}/sign-in?next={target}", status_code=303)
            return html(request, "error.html", lang, 401, message="sign in first")
        request.state.session = session
        if admin and not session.staff.is_admin:
            return html(request, "error.html", lang, 403, message_key="forbidden")
        form: dict[str, str] = {}
        if request.method == "POST":
            if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
                return html(request, "error.html", lang, 413, message="form too large")
            data = await request.form()
            if not same_origin(request) or not session.csrf_ok(_str(data.get("csrf"))):
                return html(request, "error.html", lang, 403, message_key="bad_csrf")
            form = {k: v for k, v in data.items() if isinstance(v, str)}
        current = Page(request, app, session, lang, form)
        try:
            return await handler(current)
        except NotFoundError as exc:
            return current.render("error.html", 404, message=str(exc))
        except AftercareError as exc:
            if request.method == "POST":
                return current.back(_referer(request), str(exc))
            return current.render("error.html", 400, message=str(exc))

    return endpoint


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _referer(request: Request) -> str:
    ref = urlsplit(request.headers.get("referer", ""))
    path = ref.path + (f"?{ref.query}" if ref.query else "")
    return safe_next(path) if ref.netloc in ("", request.headers.get("host", "")) else ROOT + "/"
