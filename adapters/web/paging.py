"""Lists fifty rows a page: `?page=N` in, links to the pages before and after out (one row more
is read to know whether a next page exists, so no count query)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

PER_PAGE = 50
_LAST = 10_000  # deep offsets are slow and nobody reads page 10,001


@dataclass(frozen=True)
class Pager:
    number: int
    prev_url: str | None
    next_url: str | None

    @property
    def offset(self) -> int:
        return (self.number - 1) * PER_PAGE


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return min(max(int(raw), 1), _LAST) if raw.isdigit() and len(raw) < 7 else 1


def pager(request: Request, number: int, read: int) -> Pager:
    """`read` is how many rows the list query returned with limit PER_PAGE + 1."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]

    def url(n: int) -> str:
        query = urlencode([*params, ("page", str(n))] if n > 1 else params)
        return request.url.path + (f"?{query}" if query else "")

    return Pager(
        number,
        url(number - 1) if number > 1 else None,
        url(number + 1) if read > PER_PAGE else None,
    )
