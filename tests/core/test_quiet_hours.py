"""Quiet hours: non-urgent messages wait for the contact's local morning."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.core.errors import ConfigError
from bot.core.quiet import WakingHours, waking_time


def test_inside_waking_hours_a_message_goes_now() -> None:
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Berlin
    assert waking_time(at, "Europe/Berlin") == at


def test_late_evening_waits_for_the_next_local_morning() -> None:
    at = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 Berlin, 06:30 Shanghai next day
    assert waking_time(at, "Europe/Berlin") == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert waking_time(at, "Asia/Shanghai") == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def test_early_morning_waits_for_the_same_day() -> None:
    at = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 06:00 Berlin
    assert waking_time(at, "Europe/Berlin") == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_unknown_or_missing_timezone_means_utc() -> None:
    at = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
    expected = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert waking_time(at, None) == expected
    assert waking_time(at, "Mars/Olympus") == expected


def test_a_window_across_midnight() -> None:
    night_shift = WakingHours.parse("22:00-06:00")
    assert night_shift.contains(time(23)) and night_shift.contains(time(5))
    assert not night_shift.contains(time(12))
    at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert night_shift.next(at, "UTC") == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("spec", ["", "9-20", "09:00", "25:00-26:00", "09:00-09:00"])
def test_bad_waking_hours_are_a_clear_config_error(spec: str) -> None:
    with pytest.raises(ConfigError, match="waking hours"):
        WakingHours.parse(spec)
