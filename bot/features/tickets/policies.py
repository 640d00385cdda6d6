"""SLA policies per project tier, loaded from YAML: first-response and resolution targets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import ConfigError
from bot.features.tickets.sla import TWENTY_FOUR_SEVEN, BusinessCalendar

DEFAULT_POLICIES = Path(__file__).with_name("sla_policies.yaml")
SEVERITIES = ("P1", "P2", "P3", "P4")
WARN_FRACTION = 0.8
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class Due:
    """When a ticket's first response and resolution are due, and when to warn (80%)."""

    first_response: datetime
    first_response_warn: datetime
    resolution: datetime
    resolution_warn: datetime


@dataclass(frozen=True)
class Policies:
    calendars: dict[str, BusinessCalendar]
    tiers: dict[str, tuple[str, dict[str, Targets]]]

    def calendar_for(self, tier: str, severity: str) -> BusinessCalendar:
        if severity == "P1":
            return TWENTY_FOUR_SEVEN
        return self.calendars[self._tier(tier)[0]]

    def targets(self, tier: str, severity: str) -> Targets:
        return self._tier(tier)[1][severity]

    def due(self, tier: str, severity: str, start: datetime, timezone: str) -> Due:
        calendar = self.calendar_for(tier, severity)
        targets = self.targets(tier, severity)

        def at(duration: timedelta) -> datetime:
            return calendar.add(start, duration, timezone)

        return Due(
            first_response=at(targets.first_response),
            first_response_warn=at(targets.first_response * WARN_FRACTION),
            resolution=at(targets.resolution),
            resolution_warn=at(targets.resolution * WARN_FRACTION),
        )

    def _tier(self, tier: str) -> tuple[str, dict[str, Targets]]:
        try:
            return self.tiers[tier]
        except KeyError:
            raise ConfigError(
                f"no SLA policy for tier {tier!r}; add it to the SLA policies file"
            ) from None


def load_policies(path: Path | None = None) -> Policies:
    """Read a policies file (default: the packaged one); every mistake names the file."""
    source = path or DEFAULT_POLICIES
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read SLA policies {source}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _parse(raw: Any) -> Policies:
    if not isinstance(raw, dict):
        raise ValueError("expected 'calendars' and 'tiers' sections")
    calendars = {str(name): _calendar(str(name), spec) for name, spec in raw["calendars"].items()}
    tiers: dict[str, tuple[str, dict[str, Targets]]] = {}
    for tier, spec in raw["tiers"].items():
        calendar = str(spec["calendar"])
        if calendar not in calendars:
            raise ValueError(f"tier {tier} uses unknown calendar {calendar!r}")
        targets = {}
        for severity in SEVERITIES:
            if severity not in spec:
                raise ValueError(f"tier {tier} has no {severity} targets")
            first = _hours(spec[severity]["first_response"], f"{tier}.{severity}")
            resolution = _hours(spec[severity]["resolution"], f"{tier}.{severity}")
            if resolution < first:
                raise ValueError(f"{tier}.{severity}: resolution is shorter than first response")
            targets[severity] = Targets(first, resolution)
        tiers[str(tier)] = (calendar, targets)
    return Policies(calendars, tiers)


def _calendar(name: str, spec: dict[str, Any]) -> BusinessCalendar:
    days = frozenset(_DAYS[str(d).lower()[:3]] for d in spec["days"])
    match = _HOURS.match(str(spec["hours"]))
    if match is None:
        raise ValueError(f"calendar {name}: hours must look like 09:00-18:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f"calendar {name}: the working day ends before it starts")
    holidays = frozenset(
        d if isinstance(d, date) else date.fromisoformat(str(d)) for d in spec.get("holidays", [])
    )
    return BusinessCalendar(days=days, start=start, end=end, holidays=holidays)


def _hours(value: Any, where: str) -> timedelta:
    hours = float(value)
    if hours <= 0:
        raise ValueError(f"{where}: targets must be positive hours")
    return timedelta(hours=hours)
