"""Times in a project's timezone: as staff type them (`2026-12-03 10:00`) and as clients and
staff read them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.directory import check_year
from bot.core.errors import InvalidInputError


def parse_local(text: str, timezone: str) -> datetime:
    """`2026-12-03 10:00`, read in `timezone`, as an aware UTC instant."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"bad time {text.strip()[:40]!r}: use YYYY-MM-DD HH:MM, e.g. 2026-12-03 10:00"
        ) from None
    if naive.tzinfo is not None:
        raise InvalidInputError(
            "give the time without an offset: it is read in the project's timezone"
        )
    check_year(naive.date())
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))


def local_time(when: datetime, timezone: str) -> str:
    """An instant as the project sees it: 2026-03-02 14:30 (Europe/Berlin is implied)."""
    return when.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def when_text(at: datetime, timezone: str) -> str:
    """An instant with its timezone named: 2026-03-02 14:30 (Europe/Berlin)."""
    return f"{local_time(at, timezone)} ({timezone})"
