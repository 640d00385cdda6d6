"""Schemathesis checks /api/v1 against its own OpenAPI document: every response documented,
every body as its schema says, no server errors, auth not ignored. The API is served by uvicorn
in a thread with its own event loop (the app's database pool lives in that loop)."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from adapters.api.app import openapi_document
from adapters.http.server import build_asgi
from bot.app import build_app
from bot.core.settings import Settings
from bot.features.accounts.tokens import SCOPES
from tests.conftest import START
from tests.support.fakes import FakeKnowledgeBase
from tests.support.http import serve_on_free_port

_HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of /api/v1, served with a client ACME and a token in _HEADERS."""
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copyfile(sqlite_template, folder / "aftercare.db")
    config = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=folder,
        database_url=f"sqlite+aiosqlite:///{folder / 'aftercare.db'}",
        slack_staff_channel="CSTAFF",
    )
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    found: dict[str, object] = {}

    async def main() -> None:
        app = await build_app(config, kb=FakeKnowledgeBase())
        await app.directory.add_client("Acme Corp", "ACME")
        await app.directory.add_project("ACME", "Portal", START.date(), 12, "gold", "UTC")
        _, plaintext = await app.api_tokens.create("schemathesis", list(SCOPES))
        _HEADERS["Authorization"] = f"Bearer {plaintext}"
        asgi = build_asgi(app, [], pump_outbox=False, process_events=False)
        server, task, url = await serve_on_free_port(asgi)
        found["server"], found["url"] = server, url
        ready.set()
        await task
        await app.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(30), "the API did not start"
    try:
        yield f"{found['url']}/api/v1"
    finally:
        server = found["server"]
        assert isinstance(server, uvicorn.Server)
        server.should_exit = True
        thread.join(30)
        loop.close()


schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_served_document_is_the_one_checked(served: str) -> None:
    document = httpx.get(f"{served}/openapi.json", trust_env=False).json()
    assert document.pop("servers") == [{"url": "/api/v1"}]
    assert document == openapi_document()


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case: schemathesis.Case, served: str) -> None:
    # A cursor is opaque: the schema cannot say which strings are ones the API returned, so a
    # made-up one is rightly refused (422) though it "matches the schema".
    made_up_cursor = bool(case.query and "cursor" in case.query)
    excluded = [positive_data_acceptance] if made_up_cursor else []
    case.call_and_validate(base_url=served, headers=_HEADERS, excluded_checks=excluded)
