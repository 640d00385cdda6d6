"""The survey trend as a PNG: CSAT average (left axis) and NPS (right axis) per month, drawn
with matplotlib's Agg backend (no display). `aftercare report surveys --plot` and the project
review both draw it."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from bot.features.surveys.report import SurveyReport


def draw_trend(
    report: SurveyReport, target: Path | IO[bytes], title: str = "Surveys per month"
) -> None:
    """Draw the trend into `target`: a PNG file (its folder made if needed) or a buffer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    left = figure.add_subplot()
    # Positions, not month strings: matplotlib would guess the strings are dates.
    positions = list(range(len(report.months)))
    left.plot(positions, [_nan(m.csat.average) for m in report.months], "o-", color="tab:blue")
    left.set_xticks(positions, [m.month for m in report.months])
    left.set_ylim(1, 5)
    left.set_ylabel("CSAT average (1-5)", color="tab:blue")
    right = left.twinx()
    right.plot(positions, [_nan(m.nps.nps) for m in report.months], "s--", color="tab:orange")
    right.set_ylim(-100, 100)
    right.set_ylabel("NPS", color="tab:orange")
    left.set_title(title)
    left.tick_params(axis="x", rotation=45)
    figure.tight_layout()
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, format="png")


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value
