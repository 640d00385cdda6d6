"""Sign in, sign out and the language switch. The sign-in form carries its own CSRF token
(double-submit: a cookie and a field that must match) since there is no session yet."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from adapters.web.auth import ROOT, SESSION_COOKIE, Page, is_secure, page, safe_next, same_origin
from adapters.web.i18n import LANG_COOKIE, choose_lang
from adapters.web.render import html
from bot.app import App
from bot.features.accounts.sessions import LONGEST, SignInRefused, TooManyAttempts

PRE_COOKIE = "aftercare_signin"


def routes(app: App) -> list[Route]:
    async def form(request: Request) -> Response:
        return _form(request, status=200)

    async def submit(request: Request) -> Response:
        data = await request.form()
        email, password = str(data.get("email", "")), str(data.get("password", ""))
        token, cookie = str(data.get("csrf", "")), request.cookies.get(PRE_COOKIE, "")
        lang = choose_lang(request)
        if not (same_origin(request) and cookie and hmac.compare_digest(token, cookie)):
            return html(request, "error.html", lang, 403, message_key="bad_csrf")
        address = request.client.host if request.client else "unknown"
        try:
            value, _session = await app.sessions.sign_in(email, password, address)
        except TooManyAttempts as exc:
            response = _form(request, status=429, error="too_many", email=email)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except SignInRefused:
            return _form(request, status=401, error="wrong_sign_in", email=email)
        response = RedirectResponse(safe_next(str(data.get("next", ""))), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=int(LONGEST.total_seconds()),
            path=ROOT,
            httponly=True,
            samesite="lax",
            secure=is_secure(request),
        )
        response.delete_cookie(PRE_COOKIE, path=ROOT)
        return response

    async def sign_out(current: Page) -> Response:
        await app.sessions.sign_out(current.request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(f"{ROOT}/sign-in", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=ROOT)
        return response

    async def switch(request: Request) -> Response:
        lang = request.path_params["lang"]
        response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        if lang in ("en", "zh"):
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=365 * 86400,
                path=ROOT,
                samesite="lax",
                secure=is_secure(request),
            )
        return response

    return [
        Route("/sign-in", form, methods=["GET"]),
        Route("/sign-in", submit, methods=["POST"]),
        Route("/sign-out", page(app, sign_out), methods=["POST"]),
        Route("/lang/{lang}", switch, methods=["GET"]),
    ]


def _form(request: Request, *, status: int, error: str = "", email: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = html(
        request,
        "sign_in.html",
        choose_lang(request),
        status,
        pre_csrf=token,
        error=error,
        email=email,
        next=safe_next(request.query_params.get("next")),
    )
    response.set_cookie(
        PRE_COOKIE,
        token,
        max_age=3600,
        path=ROOT,
        httponly=True,
        samesite="strict",
        secure=is_secure(request),
    )
    return response
