"""The API's error: `ApiError` (raised by endpoints and the token check, turned into the JSON
error body by `app.py`), and the error responses the endpoints declare in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from adapters.api import schemas as s


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, **extra: Any) -> dict[int | str, Any]:
    """An error response for an endpoint's `responses=` (`code` is the body's `error.code`)."""
    return {status: {"model": s.ErrorBody, "description": message, **extra}}


AUTH_ERRORS = {
    **error_response(
        401,
        "unauthorized",
        "No token, or an unknown or revoked one",
        headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    **error_response(403, "forbidden", "The token lacks the scope this endpoint needs"),
    **error_response(422, "invalid", "A parameter or the body is invalid; `fields` says which"),
}
NOT_FOUND = error_response(404, "not_found", "No such resource")
CONFLICT = error_response(409, "conflict", "The change is not possible in the current state")
