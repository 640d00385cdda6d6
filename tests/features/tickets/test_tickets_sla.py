"""SLA calendars and policies: weekends, holidays, DST changes, far-off timezones, P1 around the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import ConfigError
from bot.features.tickets.policies import load_policies
from bot.features.tickets.sla import TWENTY_FOUR_SEVEN, BusinessCalendar

CAL = BusinessCalendar(start=time(9), end=time(18), holidays=frozenset({date(2026, 12, 25)}))


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))  # type: ignore[misc]


def test_weekend_is_skipped() -> None:
    friday_4pm = local("Europe/Berlin", 2026, 3, 6, 16)
    due = CAL.add(friday_4pm, timedelta(hours=4), "Europe/Berlin")
    assert due == local("Europe/Berlin", 2026, 3, 9, 11)  # 2 h Friday, 2 h Monday
    assert CAL.elapsed(friday_4pm, due, "Europe/Berlin") == timedelta(hours=4)


def test_start_outside_hours_counts_from_next_opening() -> None:
    saturday = local("Europe/Berlin", 2026, 3, 7, 12)
    assert CAL.add(saturday, timedelta(hours=1), "Europe/Berlin") == local(
        "Europe/Berlin", 2026, 3, 9, 10
    )
    early = local("Europe/Berlin", 2026, 3, 9, 6)
    assert CAL.add(early, timedelta(minutes=30), "Europe/Berlin") == local(
        "Europe/Berlin", 2026, 3, 9, 9, 30
    )


def test_holidays_are_skipped() -> None:
    thursday_5pm = local("Europe/Berlin", 2026, 12, 24, 17)
    due = CAL.add(thursday_5pm, timedelta(hours=4), "Europe/Berlin")
    # 1 h Thursday; Friday 25th is a holiday, then the weekend; 3 h Monday.
    assert due == local("Europe/Berlin", 2026, 12, 28, 12)


def test_spring_forward_in_berlin() -> None:
    # DST starts Sunday 2026-03-29: Friday 17:00 is 16:00 UTC, Monday 10:00 is 08:00 UTC.
    friday = local("Europe/Berlin", 2026, 3, 27, 17)
    due = CAL.add(friday, timedelta(hours=2), "Europe/Berlin")
    assert due == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert due.astimezone(ZoneInfo("Europe/Berlin")).hour == 10


def test_spring_forward_in_los_angeles() -> None:
    # DST starts Sunday 2026-03-08: Friday 17:00 PST (01:00 UTC Sat) + 2 h → Monday 10:00 PDT.
    friday = local("America/Los_Angeles", 2026, 3, 6, 17)
    assert friday.astimezone(UTC) == datetime(2026, 3, 7, 1, tzinfo=UTC)
    due = CAL.add(friday, timedelta(hours=2), "America/Los_Angeles")
    assert due == datetime(2026, 3, 9, 17, tzinfo=UTC)


def test_auckland_monday_is_sunday_in_utc() -> None:
    sunday_utc = datetime(2026, 3, 1, 21, tzinfo=UTC)  # Monday 10:00 NZDT (UTC+13)
    due = CAL.add(sunday_utc, timedelta(hours=4), "Pacific/Auckland")
    assert due == datetime(2026, 3, 2, 1, tzinfo=UTC)  # Monday 14:00 NZDT
    # The same instant on a Berlin calendar is a Sunday evening: nothing counts until Monday.
    assert CAL.add(sunday_utc, timedelta(hours=4), "Europe/Berlin") == local(
        "Europe/Berlin", 2026, 3, 2, 13
    )


def test_auckland_fall_back() -> None:
    # NZ DST ends Sunday 2026-04-05: Friday 17:00 NZDT + 2 h → Monday 10:00 NZST (UTC+12).
    friday = local("Pacific/Auckland", 2026, 4, 3, 17)
    due = CAL.add(friday, timedelta(hours=2), "Pacific/Auckland")
    assert due == datetime(2026, 4, 5, 22, tzinfo=UTC)


def test_round_the_clock_ignores_weekends() -> None:
    saturday_3am = datetime(2026, 3, 7, 3, tzinfo=UTC)
    assert TWENTY_FOUR_SEVEN.add(saturday_3am, timedelta(minutes=30), "Pacific/Auckland") == (
        saturday_3am + timedelta(minutes=30)
    )


def test_default_policies_p1_is_24x7_and_p2_follows_the_calendar() -> None:
    policies = load_policies()
    saturday = datetime(2026, 3, 7, 3, tzinfo=UTC)
    p1 = policies.due("gold", "P1", saturday, "Europe/Berlin")
    assert p1.first_response == saturday + timedelta(minutes=30)
    assert p1.resolution == saturday + timedelta(hours=4)
    assert p1.first_response_warn == saturday + timedelta(minutes=24)  # 80%
    p2 = policies.due("gold", "P2", saturday, "Europe/Berlin")
    assert p2.first_response == local("Europe/Berlin", 2026, 3, 9, 10)
    assert p2.first_response_warn == local("Europe/Berlin", 2026, 3, 9, 9, 48)
    bronze = policies.due("bronze", "P2", saturday, "Europe/Berlin")
    assert bronze.first_response > p2.first_response


def test_policy_file_overrides_the_default(tmp_path: Path) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text(
        """
calendars:
  nz:
    days: [mon, tue, wed, thu, fri, sat]
    hours: "08:00-12:00"
    holidays: [2026-03-02]
tiers:
  gold:
    calendar: nz
    P1: {first_response: 1, resolution: 2}
    P2: {first_response: 1, resolution: 2}
    P3: {first_response: 1, resolution: 2}
    P4: {first_response: 1, resolution: 2}
""",
        encoding="utf-8",
    )
    policies = load_policies(path)
    start = local("Pacific/Auckland", 2026, 3, 2, 9)  # a holiday Monday
    due = policies.due("gold", "P3", start, "Pacific/Auckland")
    assert due.first_response == local("Pacific/Auckland", 2026, 3, 3, 9)
    with pytest.raises(ConfigError, match="no SLA policy for tier 'silver'"):
        policies.due("silver", "P3", start, "Pacific/Auckland")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("calendars: [", "not valid YAML"),
        ("calendars: {}\ntiers: {gold: {calendar: x}}", "unknown calendar 'x'"),
        (
            "calendars: {c: {days: [mon], hours: '18:00-09:00'}}\ntiers: {}",
            "ends before it starts",
        ),
        (
            "calendars: {c: {days: [mon], hours: '9-5'}}\ntiers: {}",
            "hours must look like",
        ),
    ],
)
def test_bad_policy_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_policies(path)
    with pytest.raises(ConfigError, match="cannot read SLA policies"):
        load_policies(tmp_path / "missing.yaml")
