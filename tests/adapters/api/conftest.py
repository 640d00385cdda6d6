"""The REST API over the test app, through `build_asgi`'s /api/v1 mount (httpx, in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.http.server import build_asgi
from bot.app import App
from bot.core.settings import Settings
from bot.features.accounts.tokens import SCOPES


@pytest.fixture
async def api(seeded: App) -> AsyncIterator[httpx.AsyncClient]:
    asgi = build_asgi(seeded, [], pump_outbox=False, process_events=False)
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
        yield client


@pytest.fixture
async def admin(seeded: App) -> dict[str, str]:
    """Headers with a token that has every scope."""
    _, plaintext = await seeded.api_tokens.create("admin", list(SCOPES))
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """A staff channel (so clients can ask for a person) and a knowledge-base folder."""
    settings.slack_staff_channel = "CSTAFF"
    settings.kb_dir = tmp_path / "kb"
    return settings
