"""SLA attainment: per target, met / breached / pending, grouped by severity and by client."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.features.tickets.service import TicketView

TARGETS = ("first_response", "resolution")


@dataclass(frozen=True)
class Breach:
    ref: str
    client: str
    severity: str
    target: str
    due: datetime
    done_at: datetime | None
    late_by: timedelta


@dataclass
class Tally:
    met: int = 0
    breached: int = 0
    pending: int = 0

    @property
    def attainment(self) -> float | None:
        """Share of decided targets that were met; None when nothing is decided yet."""
        decided = self.met + self.breached
        return self.met / decided if decided else None


@dataclass
class SlaReport:
    by_severity: dict[str, dict[str, Tally]] = field(default_factory=dict)
    by_client: dict[str, dict[str, Tally]] = field(default_factory=dict)
    breaches: list[Breach] = field(default_factory=list)
    tickets: int = 0


def sla_report(tickets: Iterable[TicketView], now: datetime) -> SlaReport:
    report = SlaReport()
    for ticket in tickets:
        report.tickets += 1
        for target in TARGETS:
            due, done = _target(ticket, target)
            for group, key in (
                (report.by_severity, ticket.severity),
                (report.by_client, ticket.client_code),
            ):
                tally = group.setdefault(key, {t: Tally() for t in TARGETS})[target]
                if done is not None and done <= due:
                    tally.met += 1
                elif done is not None or now > due:
                    tally.breached += 1
                else:
                    tally.pending += 1
            if (done is not None and done > due) or (done is None and now > due):
                report.breaches.append(
                    Breach(
                        ref=ticket.ref,
                        client=ticket.client_code,
                        severity=ticket.severity,
                        target=target,
                        due=due,
                        done_at=done,
                        late_by=(done or now) - due,
                    )
                )
    report.by_severity = dict(sorted(report.by_severity.items()))
    report.by_client = dict(sorted(report.by_client.items()))
    report.breaches.sort(key=lambda b: (b.due, b.ref))
    return report


def _target(ticket: TicketView, target: str) -> tuple[datetime, datetime | None]:
    if target == "first_response":
        return ticket.first_response_due, ticket.first_response_at
    return ticket.resolution_due, ticket.resolved_at
