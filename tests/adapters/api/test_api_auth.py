"""Every endpoint of /api/v1 (read from its OpenAPI document, so a new one is covered) refuses a
missing, wrong-scope or revoked token with the documented JSON error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from adapters.api.app import ROUTERS
from bot.app import App
from bot.features.accounts.tokens import SCOPES

_SAMPLE = {"ref": "ACME-1", "conversation_id": "1", "project_id": "1"}
ROUTES = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _operations() -> list[tuple[str, str]]:
    api = FastAPI(openapi_url="/openapi.json")
    for router in ROUTERS:
        api.include_router(router)
    paths: dict[str, dict[str, Any]] = api.openapi()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


def _scope(method: str, path: str) -> str:
    """The scope the route's auth dependency asks for (`require(scope)` closes over it)."""
    route = next(r for r in ROUTES if r.path == path and method in r.methods)

    def walk(dependant: Dependant) -> list[str]:
        found = []
        for dep in dependant.dependencies:
            closure = getattr(dep.call, "__closure__", None) or ()
            found += [c.cell_contents for c in closure if c.cell_contents in SCOPES]
            found += walk(dep)
        return found

    scopes = walk(route.dependant)
    assert len(scopes) == 1, f"{method} {path} must require exactly one scope: {scopes}"
    return scopes[0]


OPERATIONS = _operations()


def test_the_document_lists_every_route() -> None:
    assert len(OPERATIONS) == sum(len(r.methods) for r in ROUTES)
    assert ("GET", "/tickets") in OPERATIONS and ("POST", "/knowledge/ask") in OPERATIONS


def _url(path: str) -> str:
    return path[1:].format(**_SAMPLE)


def _unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
async def test_every_endpoint_refuses_bad_tokens(
    api: httpx.AsyncClient, seeded: App, method: str, path: str
) -> None:
    scope = _scope(method, path)
    url, body = _url(path), ({} if method == "POST" else None)
    _unauthorized(await api.request(method, url, json=body))
    _unauthorized(await api.request(method, url, json=body, headers={"Authorization": "Bearer x"}))
    _unauthorized(
        await api.request(method, url, json=body, headers={"Authorization": "Basic eDp5"})
    )

    others = [s for s in SCOPES if s != scope]
    _, wrong = await seeded.api_tokens.create("wrong", others)
    response = await api.request(
        method, url, json=body, headers={"Authorization": f"Bearer {wrong}"}
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": f"this token lacks the scope {scope}",
    }

    _, right = await seeded.api_tokens.create("right", [scope])
    await seeded.api_tokens.revoke("right")
    _unauthorized(
        await api.request(method, url, json=body, headers={"Authorization": f"Bearer {right}"})
    )
