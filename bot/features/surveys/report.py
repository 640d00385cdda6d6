"""The survey report: CSAT average, NPS, response rates, and the same per month (UTC)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KINDS = ("csat", "nps")


@dataclass(frozen=True)
class SurveyRecord:
    """One survey as the report sees it; state is sent, answered or skipped."""

    kind: str
    state: str
    score: int | None
    created_at: datetime
    client: str
    project: str


@dataclass(frozen=True)
class Scores:
    """One kind of survey over one period. Skipped surveys (sampling, cooldown) were never
    sent and do not count towards the response rate."""

    sent: int = 0
    skipped: int = 0
    scores: tuple[int, ...] = ()

    @property
    def answered(self) -> int:
        return len(self.scores)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def average(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def promoters(self) -> int:
        return sum(1 for s in self.scores if s >= 9)

    @property
    def detractors(self) -> int:
        return sum(1 for s in self.scores if s <= 6)

    @property
    def nps(self) -> float | None:
        """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), -100..100."""
        if not self.scores:
            return None
        return 100 * (self.promoters - self.detractors) / len(self.scores)

    def add(self, record: SurveyRecord) -> Scores:
        if record.state == "skipped":
            return Scores(self.sent, self.skipped + 1, self.scores)
        scores = self.scores if record.score is None else (*self.scores, record.score)
        return Scores(self.sent + 1, self.skipped, scores)


@dataclass(frozen=True)
class Month:
    month: str  # 2026-03
    csat: Scores
    nps: Scores


@dataclass(frozen=True)
class SurveyReport:
    csat: Scores
    nps: Scores
    months: tuple[Month, ...]


def survey_report(records: Iterable[SurveyRecord]) -> SurveyReport:
    totals = {kind: Scores() for kind in KINDS}
    months: dict[str, dict[str, Scores]] = {}
    for record in records:
        if record.kind not in totals:
            continue
        totals[record.kind] = totals[record.kind].add(record)
        month = months.setdefault(f"{record.created_at:%Y-%m}", {kind: Scores() for kind in KINDS})
        month[record.kind] = month[record.kind].add(record)
    return SurveyReport(
        csat=totals["csat"],
        nps=totals["nps"],
        months=tuple(Month(m, s["csat"], s["nps"]) for m, s in sorted(months.items())),
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def scores_json(scores: Scores) -> dict[str, Any]:
    return {
        "sent": scores.sent,
        "answered": scores.answered,
        "skipped": scores.skipped,
        "response_rate": _round(scores.response_rate, 3),
        "average": _round(scores.average),
    }


def report_json(report: SurveyReport) -> dict[str, Any]:
    """The report as plain JSON (`aftercare report surveys --json`)."""

    def nps(scores: Scores) -> dict[str, Any]:
        return {
            **scores_json(scores),
            "nps": _round(scores.nps, 1),
            "promoters": scores.promoters,
            "detractors": scores.detractors,
        }

    return {
        "csat": scores_json(report.csat),
        "nps": nps(report.nps),
        "months": [
            {"month": m.month, "csat": scores_json(m.csat), "nps": nps(m.nps)}
            for m in report.months
        ],
    }
