"""The deflection report: of the client questions the FAQ took, the share answered without a
person, by ISO week and by language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Lang
from bot.features.escalation.models import EscalationEvent
from bot.features.escalation.state import Action
from bot.features.faq.turns import ANSWER, CHOICES, FaqTurn, faq_turns

# A person is asked for, or takes over, within this long after the answer: not deflected.
WINDOW = timedelta(hours=24)
_PERSON = (Action.ESCALATE.value, Action.TAKE.value)
LANGS: tuple[Lang, ...] = ("en", "zh")


@dataclass(frozen=True)
class Deflection:
    """`questions` the FAQ took; `answered` with an article (at once, or by a "did you mean"
    choice clicked next); `deflected`: answered, and no person within the window after."""

    questions: int = 0
    answered: int = 0
    deflected: int = 0

    @property
    def rate(self) -> float | None:
        """The share of questions deflected; None without questions."""
        return self.deflected / self.questions if self.questions else None

    def plus(self, answered: bool, deflected: bool) -> Deflection:
        return Deflection(self.questions + 1, self.answered + answered, self.deflected + deflected)


@dataclass(frozen=True)
class WeekDeflection:
    week: str  # ISO week, "2026-W10"
    starts: date  # its Monday
    all: Deflection
    by_lang: dict[Lang, Deflection]


@dataclass(frozen=True)
class DeflectionReport:
    since: datetime
    window: timedelta
    weeks: tuple[WeekDeflection, ...]  # oldest first; weeks without questions left out
    all: Deflection
    by_lang: dict[Lang, Deflection]


async def deflection(
    session: AsyncSession, *, since: datetime, window: timedelta = WINDOW
) -> DeflectionReport:
    """Typed client questions asked since `since` whose reply was the FAQ's. The person's
    window is read up to now, so the last day's answers may still count as deflected."""
    turns = await faq_turns(session, since=since)
    person = await _person_times(session, since)
    weeks: dict[tuple[int, int], dict[Lang, Deflection]] = defaultdict(
        lambda: dict.fromkeys(LANGS, Deflection())
    )
    for turn, answered in _questions(turns):
        asked = turn.asked_at
        helped = any(asked <= at <= asked + window for at in person.get(turn.conversation_id, ()))
        year, week, _ = asked.isocalendar()
        row = weeks[(year, week)]
        row[turn.lang] = row[turn.lang].plus(answered, answered and not helped)
    found = tuple(
        WeekDeflection(
            f"{year}-W{week:02d}",
            date.fromisocalendar(year, week, 1),
            _sum(langs.values()),
            langs,
        )
        for (year, week), langs in sorted(weeks.items())
    )
    by_lang = {lang: _sum(w.by_lang[lang] for w in found) for lang in LANGS}
    return DeflectionReport(since, window, found, _sum(by_lang.values()), by_lang)


def _questions(turns: list[FaqTurn]) -> list[tuple[FaqTurn, bool]]:
    """Each typed question, and whether it was answered: an answer at once, or "did you mean"
    followed by a click on an article that was answered."""
    found: list[tuple[FaqTurn, bool]] = []
    pending: dict[int, int] = {}  # conversation -> index in found of a "did you mean"
    for turn in turns:
        if turn.button is None:
            found.append((turn, turn.kind == ANSWER))
            if turn.kind == CHOICES:
                pending[turn.conversation_id] = len(found) - 1
            else:
                pending.pop(turn.conversation_id, None)
            continue
        at = pending.pop(turn.conversation_id, None)
        if at is not None and turn.kind == ANSWER and turn.button.startswith("kb:"):
            found[at] = (found[at][0], True)
    return found


async def _person_times(session: AsyncSession, since: datetime) -> dict[int, list[datetime]]:
    rows = await session.execute(
        select(EscalationEvent.conversation_id, EscalationEvent.at).where(
            EscalationEvent.kind.in_(_PERSON), EscalationEvent.at >= since
        )
    )
    times: dict[int, list[datetime]] = defaultdict(list)
    for conversation_id, at in rows:
        times[int(conversation_id)].append(at)
    return times


def _sum(parts: Iterable[Deflection]) -> Deflection:
    counted = list(parts)
    return Deflection(
        sum(d.questions for d in counted),
        sum(d.answered for d in counted),
        sum(d.deflected for d in counted),
    )
