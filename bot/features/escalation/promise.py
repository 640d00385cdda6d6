"""When a person will answer an escalation: the project's SLA first-response target on its
business calendar, and whether the team is in now (or when it is back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.features.tickets.policies import Policies

# A client who asks for a person is answered like a high-severity ticket; a P1 ticket's
# escalation keeps P1's round-the-clock target.
HANDOFF_SEVERITY = "P2"


@dataclass(frozen=True)
class Promise:
    """`opens_at` is set when the team is out of hours now: when it is back."""

    answer_by: datetime
    timezone: str
    opens_at: datetime | None


def promise(
    policies: Policies, tier: str, timezone: str, now: datetime, severity: str = HANDOFF_SEVERITY
) -> Promise:
    calendar = policies.calendar_for(tier, severity)
    target = policies.targets(tier, severity).first_response
    return Promise(
        answer_by=calendar.add(now, target, timezone),
        timezone=timezone,
        opens_at=calendar.opens_after(now, timezone),
    )
