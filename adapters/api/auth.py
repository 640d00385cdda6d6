"""Who may call: the bearer token, which must be live and carry the endpoint's scope, and the
dependencies every endpoint shares (the Aftercare `App`, the refusal of unknown query
parameters)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.api.errors import ApiError
from bot.app import App
from bot.features.accounts.tokens import SCOPES, TokenView

_bearer = HTTPBearer(
    auto_error=False, description="An API token from `aftercare token create NAME --scope ...`"
)


def _app(request: Request) -> App:
    application: App = request.app.state.aftercare
    return application


AppDep = Annotated[App, Depends(_app)]


def require(scope: str) -> Callable[..., Awaitable[TokenView]]:
    """A dependency: the caller's token, which must be live and carry `scope`."""
    assert scope in SCOPES, scope

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> TokenView:
        if credentials is None:
            raise _unauthorized("send `Authorization: Bearer <token>`")
        token = await _app(request).api_tokens.verify(credentials.credentials)
        if token is None:
            raise _unauthorized("the token is unknown or revoked")
        if scope not in token.scopes:
            raise ApiError(403, "forbidden", f"this token lacks the scope {scope}")
        _refuse_unknown_query(request)
        return token

    return check


def token_with(scope: str) -> Any:
    """`Depends(require(scope))`, for `dependencies=[...]` or a `TokenView` parameter."""
    return Depends(require(scope))


def _refuse_unknown_query(request: Request) -> None:
    """A misspelt filter (`?stauts=new`) is an error, not a silently wider answer."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = {p.alias for p in route.dependant.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": "unknown parameter"} for name in unknown]
        )


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})
