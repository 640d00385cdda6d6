"""Server-rendered pages: Jinja2 templates with autoescaping on (client text stays text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from adapters.web.i18n import word
from bot.core.i18n import Lang

TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    auto_reload=False,
)
ENV.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M") if value else "–"
ENV.filters["day"] = lambda value: value.strftime("%Y-%m-%d") if value else "–"

# Same-origin everything, no inline script or style: client text can never run.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def html(
    request: Request, template: str, lang: Lang, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render `template` with the page's language, `t` for words, and the session (if any)."""
    state = request.state
    page = ENV.get_template(template).render(
        lang=lang,
        t=lambda key: word(key, lang),
        session=getattr(state, "session", None),
        csrf=getattr(getattr(state, "session", None), "csrf", ""),
        flash=unquote(request.cookies.get("aftercare_flash", "")),
        path=request.url.path,
        root=request.scope.get("root_path", ""),
        **values,
    )
    response = HTMLResponse(page, status_code=status, headers=HEADERS)
    if request.cookies.get("aftercare_flash"):
        response.delete_cookie("aftercare_flash", path="/")
    return response
