"""Admin pages for integrations: API tokens (created with their scopes, shown once, revoked)
and outbound webhooks (added with their events, the secret shown once, removed, and each
one's delivery log). The same services as `aftercare token …` and `aftercare webhook …`."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.i18n import word
from bot.app import App
from bot.features.accounts.tokens import SCOPES
from bot.features.webhooks.service import EVENTS


def routes(app: App) -> list[Route]:
    async def tokens(current: Page) -> Response:
        return current.render(
            "admin_tokens.html", tokens=await app.api_tokens.list(), scopes=SCOPES, created=None
        )

    async def create_token(current: Page) -> Response:
        scopes = [s for s in SCOPES if current.form.get(f"scope:{s}") == "on"]
        view, plaintext = await app.api_tokens.create(current.field("name"), scopes)
        # Shown on this answer only (never stored, never in a redirect): copy it now.
        return current.render(
            "admin_tokens.html",
            tokens=await app.api_tokens.list(),
            scopes=SCOPES,
            created=(view, plaintext),
        )

    async def revoke_token(current: Page) -> Response:
        await app.api_tokens.revoke(current.field("name"))
        return current.back(f"{ROOT}/admin/tokens", word("done", current.lang))

    async def webhooks(current: Page) -> Response:
        return current.render(
            "admin_webhooks.html", hooks=await app.webhooks.list(), events=EVENTS, added=None
        )

    async def add_webhook(current: Page) -> Response:
        chosen = [e for e in EVENTS if current.form.get(f"event:{e}") == "on"]
        added = await app.webhooks.add(current.field("url"), chosen)
        return current.render(
            "admin_webhooks.html", hooks=await app.webhooks.list(), events=EVENTS, added=added
        )

    async def remove_webhook(current: Page) -> Response:
        await app.webhooks.remove(int(current.request.path_params["hook_id"]))
        return current.back(f"{ROOT}/admin/webhooks", word("done", current.lang))

    async def deliveries(current: Page) -> Response:
        hook_id = int(current.request.path_params["hook_id"])
        found = [h for h in await app.webhooks.list() if h.id == hook_id]
        attempts = await app.webhooks.deliveries(hook_id, limit=100)
        if not found:
            return current.render("error.html", 404, message=f"no webhook {hook_id}")
        return current.render("admin_deliveries.html", hook=found[0], attempts=attempts)

    return [
        Route("/admin/tokens", page(app, tokens, admin=True), methods=["GET"]),
        Route("/admin/tokens", page(app, create_token, admin=True), methods=["POST"]),
        Route("/admin/tokens/revoke", page(app, revoke_token, admin=True), methods=["POST"]),
        Route("/admin/webhooks", page(app, webhooks, admin=True), methods=["GET"]),
        Route("/admin/webhooks", page(app, add_webhook, admin=True), methods=["POST"]),
        Route(
            "/admin/webhooks/{hook_id:int}/remove",
            page(app, remove_webhook, admin=True),
            methods=["POST"],
        ),
        Route("/admin/webhooks/{hook_id:int}", page(app, deliveries, admin=True), methods=["GET"]),
    ]
