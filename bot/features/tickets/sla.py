"""Business-hours calendars: add working time to an instant, in the project's timezone (DST-safe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROUND_THE_CLOCK = "24x7"
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days (0 = Monday), daily hours [start, end) in local time, and holidays.

    `around_the_clock` calendars count every second (P1 targets use one).
    """

    days: frozenset[int] = frozenset(range(5))
    start: time = time(9)
    end: time = time(18)
    holidays: frozenset[date] = frozenset()
    around_the_clock: bool = False

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _window(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        # Local wall-clock hours become UTC separately, so a DST change shifts the window
        # rather than stretching it.
        opens = datetime.combine(day, self.start, zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, zone).astimezone(UTC)
        return opens, closes

    def add(self, start: datetime, duration: timedelta, timezone: str) -> datetime:
        """The instant `duration` of working time after `start` (aware), returned in UTC."""
        start = start.astimezone(UTC)
        if self.around_the_clock or duration <= timedelta(0):
            return start + max(duration, timedelta(0))
        if not self.days:
            raise ValueError("a business calendar needs at least one working day")
        zone = ZoneInfo(timezone)
        day = start.astimezone(zone).date()
        left = duration
        for _ in range(3660):  # ten years of days: a target can never need more
            if self.is_working_day(day):
                opens, closes = self._window(day, zone)
                begin = max(opens, start)
                if begin < closes:
                    available = closes - begin
                    if left <= available:
                        return begin + left
                    left -= available
            day += timedelta(days=1)
        raise ValueError("the calendar has no working time in the next ten years")

    def opens_after(self, now: datetime, timezone: str) -> datetime | None:
        """When working time next begins: None while it is working time now."""
        opens = self.add(now, _TICK, timezone) - _TICK
        return opens if opens > now.astimezone(UTC) else None

    def elapsed(self, start: datetime, end: datetime, timezone: str) -> timedelta:
        """Working time between two instants (zero when `end` is before `start`)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return timedelta(0)
        if self.around_the_clock:
            return end - start
        zone = ZoneInfo(timezone)
        day = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        total = timedelta(0)
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._window(day, zone)
                begin, finish = max(opens, start), min(closes, end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total


TWENTY_FOUR_SEVEN = BusinessCalendar(days=frozenset(range(7)), around_the_clock=True)
