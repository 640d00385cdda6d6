"""The FastAPI app mounted at /api/v1: the resource routers (directory, tickets, conversations,
surveys, knowledge) under one document, and the handlers that turn every error into the JSON
error body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.routing import Match

from adapters.api import conversations, directory, knowledge, surveys, tickets
from adapters.api.errors import ApiError, error_response
from bot.app import App
from bot.core.errors import (
    AftercareError,
    ConflictError,
    IndexNotReadyError,
    InvalidInputError,
    NotFoundError,
)

# The resource routers, in the order of the OpenAPI document's paths.
ROUTERS = (
    directory.router,
    tickets.router,
    conversations.router,
    surveys.router,
    knowledge.router,
)

_STATUS_CODES = {
    NotFoundError: (404, "not_found"),
    InvalidInputError: (422, "invalid"),
    ConflictError: (409, "conflict"),
    IndexNotReadyError: (503, "unavailable"),
}


def build_api(app: App) -> FastAPI:
    """The REST API over `app`; mount it at /api/v1."""
    api = _api()
    api.state.aftercare = app

    async def on_api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _json(exc.status, exc.code, exc.message, headers=exc.headers)

    async def on_aftercare_error(_request: Request, exc: Exception) -> JSONResponse:
        for kind, (status, code) in _STATUS_CODES.items():
            if isinstance(exc, kind):
                return _json(status, code, str(exc))
        return _json(500, "error", str(exc))

    async def on_invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        fields = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
            for e in exc.errors()
        ]
        names = ", ".join(f["field"] for f in fields)
        return _json(422, "invalid", f"invalid input: {names}", fields=fields)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
        }.get(exc.status_code)
        headers = dict(exc.headers or {})
        if exc.status_code == 400:  # a body FastAPI cannot decode (not UTF-8, say)
            fields = [{"field": "body", "message": str(exc.detail)}]
            return _json(422, "invalid", "invalid input: body", fields=fields)
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path; say all of them.
            # (FastAPI keeps an included router's routes on the router, not on the app.)
            methods = {
                m
                for router in ROUTERS
                for r in router.routes
                if isinstance(r, APIRoute) and r.matches(request.scope)[0] is not Match.NONE
                for m in r.methods or ()
            }
            headers["Allow"] = ", ".join(sorted(methods))
        return _json(exc.status_code, code or "error", str(exc.detail), headers=headers)

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(AftercareError, on_aftercare_error)
    api.add_exception_handler(RequestValidationError, on_invalid)
    api.add_exception_handler(HTTPException, on_http)
    return api


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, as /api/v1/openapi.json serves it (without `servers`)."""
    return _api().openapi()


def _api() -> FastAPI:
    api = FastAPI(
        title="Aftercare API",
        version="1",
        description="Tickets, conversations, surveys and knowledge for integrations. "
        "Authenticate with `Authorization: Bearer <token>` (`aftercare token create`).",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # Unknown routes get the same error shape as the rest.
        responses={**error_response(404, "not_found", "No such resource")},
    )
    for router in ROUTERS:
        api.include_router(router)
    return api


def _json(
    status: int,
    code: str,
    message: str,
    *,
    fields: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return JSONResponse({"error": error}, status_code=status, headers=headers)
