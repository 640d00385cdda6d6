"""Quiet hours: non-urgent messages wait until the contact is awake, in the contact's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import ConfigError


@dataclass(frozen=True)
class WakingHours:
    """The local hours in which a non-urgent message may arrive (start inclusive, end exclusive)."""

    start: time = time(9)
    end: time = time(20)

    @classmethod
    def parse(cls, spec: str) -> WakingHours:
        """`"09:00-20:00"` -> WakingHours; a clear error for anything else."""
        try:
            first, second = spec.split("-")
            start, end = time.fromisoformat(first.strip()), time.fromisoformat(second.strip())
        except ValueError:
            raise ConfigError(f"waking hours must look like 09:00-20:00, not {spec!r}") from None
        if start == end:
            raise ConfigError("waking hours must not start and end at the same time")
        return cls(start, end)

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # a window across midnight

    def next(self, at: datetime, tz: str | None) -> datetime:
        """`at` when it falls in waking hours in `tz`, else the next start of waking hours."""
        zone = _zone(tz)
        local = at.astimezone(zone)
        if self.contains(local.time().replace(tzinfo=None)):
            return at
        candidate = datetime.combine(local.date(), self.start, zone)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.start, zone)
        return candidate.astimezone(at.tzinfo)


DEFAULT = WakingHours()


def waking_time(at: datetime, tz: str | None, hours: WakingHours = DEFAULT) -> datetime:
    """The first moment at or after `at` within waking hours in `tz` (UTC when unknown)."""
    return hours.next(at, tz)


def _zone(tz: str | None) -> ZoneInfo:
    if not tz:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
