"""Through the real entry points: `aftercare token create` makes a token, `aftercare serve` (a
child process on loopback) answers /api/v1 with it, and refuses it once revoked."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.app import App
from tests.support.serve_process import cli, serve

pytestmark = pytest.mark.usefixtures("no_proxy")


async def test_a_cli_token_opens_and_lists_tickets_over_http(
    seeded: App, database_url: str, tmp_path: Path
) -> None:
    env = {"AFTERCARE_DATABASE_URL": database_url, "AFTERCARE_DATA_DIR": str(tmp_path / "var")}
    out = await cli(
        env, "token", "create", "jira", "--scope", "tickets:read", "--scope", "tickets:write"
    )
    token = out.strip().splitlines()[-1]
    child = serve(env)
    await child.start()
    try:
        base = f"{await child.url()}/api/v1"
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            created = await http.post(
                "/tickets", json={"client": "ACME", "title": "Export is slow", "severity": "P2"}
            )
            assert created.status_code == 201, created.text
            assert created.json()["events"][0]["actor"] == "api:jira"
            listed = (await http.get("/tickets")).json()
            assert [t["ref"] for t in listed["items"]] == ["ACME-1"]
            assert (await http.get("/openapi.json")).json()["info"]["title"] == "Aftercare API"
            await cli(env, "token", "revoke", "jira")
            refused = await http.get("/tickets")
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    finally:
        await child.stop()
    assert "Traceback" not in child.output
