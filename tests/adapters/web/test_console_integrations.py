"""Admin pages for integrations: API tokens (shown once, stored hashed, revoked) and webhooks
(the secret shown once, removed, the delivery log), through the services the CLI uses."""

from __future__ import annotations

import re

from bot.app import App
from tests.support.console import add_staff, console_client, post_form, sign_in


async def test_an_admin_creates_a_token_that_the_api_accepts_and_revokes_it(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        made = await post_form(
            client,
            "/console/admin/tokens",
            "/console/admin/tokens",
            {"name": "jira", "scope:tickets:read": "on"},
        )
        assert made.status_code == 200
        token = re.search(r"(act_[A-Za-z0-9_\-]+)", made.text)
        assert token is not None
        auth = {"Authorization": f"Bearer {token.group(1)}"}
        assert (await client.get("/api/v1/tickets", headers=auth)).status_code == 200
        assert (await client.get("/api/v1/clients", headers=auth)).status_code == 403
        listed = (await client.get("/console/admin/tokens")).text
        assert "jira" in listed and token.group(1) not in listed  # shown once
        revoked = await post_form(
            client, "/console/admin/tokens", "/console/admin/tokens/revoke", {"name": "jira"}
        )
        assert revoked.status_code == 303
        assert (await client.get("/api/v1/tickets", headers=auth)).status_code == 401


async def test_an_admin_adds_a_webhook_sees_its_log_and_removes_it(seeded: App) -> None:
    dana = await add_staff(seeded)
    async with console_client(seeded) as client:
        await sign_in(client, dana)
        added = await post_form(
            client,
            "/console/admin/webhooks",
            "/console/admin/webhooks",
            {"url": "https://crm.example/hook", "event:ticket.created": "on"},
        )
        assert added.status_code == 200 and "crm.example" in added.text
        [hook] = await seeded.webhooks.list()
        assert hook.events == ("ticket.created",)
        log = await client.get(f"/console/admin/webhooks/{hook.id}")
        assert log.status_code == 200
        bad = await post_form(
            client,
            "/console/admin/webhooks",
            "/console/admin/webhooks",
            {"url": "ftp://nope.example", "event:ticket.created": "on"},
        )
        assert bad.status_code == 303  # refused with the reason, nothing added
        assert len(await seeded.webhooks.list()) == 1
        gone = await post_form(
            client,
            "/console/admin/webhooks",
            f"/console/admin/webhooks/{hook.id}/remove",
            {},
        )
        assert gone.status_code == 303 and await seeded.webhooks.list() == []
