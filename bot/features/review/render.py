"""The project review as Markdown with PNG charts (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.errors import NotFoundError
from bot.features.review.data import ProjectReview
from bot.features.surveys.chart import draw_trend
from bot.features.surveys.report import Scores
from bot.features.tickets.report import TARGETS, Tally

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REPORT = "review.md"
CHART_TICKETS, CHART_SLA = "tickets_by_category.png", "sla_attainment.png"
CHART_SURVEYS, CHART_TRAINING = "surveys_by_month.png", "training.png"
Target = Path | IO[bytes]  # a file to write, or a buffer


def write_review(review: ProjectReview, out: Path) -> list[Path]:
    """Write review.md and its charts into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    names = review_charts(review)
    for name in names:
        _CHARTS[name](review, out / name)
    report = out / REPORT
    report.write_text(markdown(review, set(names)), encoding="utf-8")
    return [report, *(out / name for name in names)]


def review_charts(review: ProjectReview) -> list[str]:
    """The charts this review has data for, by file name, in the order the report shows them."""
    names = [CHART_TICKETS, CHART_SLA] if review.tickets else []
    if review.surveys.months:
        names.append(CHART_SURVEYS)
    if review.training:
        names.append(CHART_TRAINING)
    return names


def chart_png(review: ProjectReview, name: str) -> bytes:
    """One of `review_charts` as PNG bytes (the console shows them without writing files)."""
    if name not in review_charts(review):
        raise NotFoundError(f"no chart {name!r} for {review.project}")
    buffer = BytesIO()
    _CHARTS[name](review, buffer)
    return buffer.getvalue()


def markdown(review: ProjectReview, charts: set[str]) -> str:
    lines = [
        f"# Project review: {_md(review.project)} ({_md(review.client_name)})",
        "",
        f"Generated {review.generated_at:%Y-%m-%d %H:%M} UTC. Times below are UTC unless a "
        f"timezone is named; the project's is {review.timezone}.",
        "",
    ]
    for part in (
        _acceptance,
        _risk,
        _tickets,
        _sla,
        _surveys,
        _training,
        _notices,
        _suggestions,
    ):
        lines += part(review, charts)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- sections ------------------------------------------------------------------------------


def _acceptance(r: ProjectReview, _charts: set[str]) -> list[str]:
    if r.accepted_on is None:
        accepted = "not accepted yet"
    else:
        accepted = f"{r.accepted_on} ({(r.accepted_on - r.delivered_on).days} days after delivery)"
    lines = [
        "## Acceptance",
        "",
        "| delivered | accepted | warranty until | SLA tier |",
        "|---|---|---|---|",
        f"| {r.delivered_on} | {accepted} | {r.warranty_until or '-'} | {r.sla_tier} |",
        "",
    ]
    items = r.checklist.items
    if not items:
        return [*lines, "No handover checklist."]
    today = r.generated_at.astimezone(ZoneInfo(r.timezone)).date()
    overdue = sum(1 for item in items if item.overdue(today))
    lines += [
        f"Handover checklist: {r.checklist.confirmed} of {len(items)} items confirmed by the "
        f"client, {overdue} overdue.",
        "",
        "| # | item | due | ticked by staff | confirmed by client | ticket |",
        "|---:|---|---|---|---|---|",
    ]
    for item in items:
        ticked = f"{item.ticked_at:%Y-%m-%d} {_md(item.ticked_by or '')}" if item.ticked_at else "-"
        confirmed = (
            f"{item.confirmed_at:%Y-%m-%d} {_md(item.confirmed_by or '')}"
            if item.confirmed_at
            else ("overdue" if item.overdue(today) else "-")
        )
        lines.append(
            f"| {item.position} | {_md(item.title_en)} | {item.due_on} | {ticked.strip()} "
            f"| {confirmed.strip()} | {item.ticket or '-'} |"
        )
    return lines


def _risk(r: ProjectReview, _charts: set[str]) -> list[str]:
    lines = ["## Risk", ""]
    if r.risk is None:
        return [*lines, "No risk score."]
    lines.append(f"Score {r.risk.score}/100 (as `aftercare report risk` computes it).")
    if r.risk.signals:
        lines += ["", "| signal | points | why |", "|---|---:|---|"]
        lines += [f"| {x.name} | {x.points} | {_md(x.reason)} |" for x in r.risk.signals]
    return lines


def _tickets(r: ProjectReview, charts: set[str]) -> list[str]:
    lines = ["## Tickets by category", ""]
    if not r.tickets:
        return [*lines, "No tickets."]
    still_open = sum(o for _, o in r.by_category.values())
    lines += [
        f"{len(r.tickets)} ticket{'s' if len(r.tickets) != 1 else ''}, {still_open} still open.",
        "",
        "| category | tickets | open |",
        "|---|---:|---:|",
    ]
    lines += [f"| {c} | {n} | {o} |" for c, (n, o) in r.by_category.items()]
    return lines + _chart(CHART_TICKETS, "Tickets by category", charts)


def _sla(r: ProjectReview, charts: set[str]) -> list[str]:
    lines = ["## SLA attainment", ""]
    if not r.tickets:
        return [*lines, "No tickets, so no SLA targets yet."]
    lines += [
        "| severity | first response met/missed/open | attained | resolution met/missed/open | attained |",
        "|---|---|---:|---|---:|",
    ]
    for severity, tallies in r.sla.by_severity.items():
        cells = []
        for target in TARGETS:
            tally = tallies[target]
            cells += [f"{tally.met}/{tally.breached}/{tally.pending}", _pct(tally.attainment)]
        lines.append(f"| {severity} | " + " | ".join(cells) + " |")
    lines.append("")
    if r.sla.breaches:
        lines.append("Breaches:")
        lines.append("")
        for b in r.sla.breaches:
            hours = int(b.late_by.total_seconds() // 3600)
            done = f"done {b.done_at:%Y-%m-%d %H:%M}" if b.done_at else "still open"
            lines.append(
                f"- {b.ref} ({b.severity}) {b.target.replace('_', ' ')} due "
                f"{b.due:%Y-%m-%d %H:%M}, {done}, {hours} h late"
            )
    else:
        lines.append("No breaches.")
    return lines + _chart(CHART_SLA, "SLA attainment by severity", charts)


def _surveys(r: ProjectReview, charts: set[str]) -> list[str]:
    s = r.surveys
    lines = ["## Satisfaction (CSAT and NPS)", ""]
    if not s.months:
        return [*lines, "No surveys yet."]

    def row(name: str, scores: Scores, score: str) -> str:
        rate = _pct(scores.response_rate)
        return f"| {name} | {scores.sent} | {scores.answered} | {rate} | {score} |"

    lines += [
        "| survey | sent | answered | response | score |",
        "|---|---:|---:|---:|---:|",
        row("CSAT (1-5)", s.csat, _num(s.csat.average, ".2f")),
        row("NPS (-100..100)", s.nps, _num(s.nps.nps, "+.0f")),
        "",
        "| month | CSAT avg | NPS |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {m.month} | {_num(m.csat.average, '.2f')} | {_num(m.nps.nps, '+.0f')} |"
        for m in s.months
    ]
    return lines + _chart(CHART_SURVEYS, "CSAT and NPS per month", charts)


def _training(r: ProjectReview, charts: set[str]) -> list[str]:
    lines = ["## Training", ""]
    if not r.training:
        return [*lines, "No training sessions."]
    lines += [
        "| # | when | kind | title | state | registered | attended | rating (n) |",
        "|---:|---|---|---|---|---:|---:|---|",
    ]
    for line in r.training:
        v = line.session
        rating = f"{_num(line.average, '.1f')} ({len(v.ratings)})"
        lines.append(
            f"| {v.id} | {v.starts_at:%Y-%m-%d %H:%M} | {v.kind} | {_md(v.title)} | {v.state} "
            f"| {v.registered} | {v.attended} | {rating} |"
        )
    absent = sum(1 for line in r.training for a in line.attendees if a.attended is False)
    ratings = [score for line in r.training for score in line.session.ratings]
    lines += [
        "",
        f"Attendance: {sum(line.session.attended for line in r.training)} present, "
        f"{absent} marked absent; average rating {_num(_mean(ratings), '.1f')} from "
        f"{len(ratings)} rating(s).",
    ]
    return lines + _chart(CHART_TRAINING, "Training attendance and ratings", charts)


def _notices(r: ProjectReview, _charts: set[str]) -> list[str]:
    lines = ["## Announcements", ""]
    if not r.notices:
        return [*lines, "No announcements."]
    lines += [
        "| # | send at | state | kind | text | contacts | acknowledged |",
        "|---:|---|---|---|---|---:|---:|",
    ]
    for n in r.notices:
        text = n.notice.text if len(n.notice.text) <= 60 else n.notice.text[:57] + "..."
        lines.append(
            f"| {n.notice.id} | {n.notice.send_at:%Y-%m-%d %H:%M} | {n.notice.state} "
            f"| {n.notice.kind} "
            f"| {_md(text)} | {n.contacts} | {n.acknowledged} |"
        )
    return lines


def _suggestions(r: ProjectReview, _charts: set[str]) -> list[str]:
    lines = ["## Suggestions", ""]
    if not r.suggestions:
        return [*lines, "No suggestions."]
    for x in sorted(r.suggestions, key=lambda x: (x.created_at, x.id)):
        where = "" if x.project else " (client-wide)"
        lines.append(f"- {x.created_at:%Y-%m-%d} {_md(x.author)}{where}: {_md(x.text)}")
    return lines


# --- charts --------------------------------------------------------------------------------


def _figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, target: Target) -> None:
    figure.tight_layout()
    figure.savefig(target, format="png")


def _tickets_chart(r: ProjectReview, out: Target) -> None:
    from matplotlib.ticker import MaxNLocator

    figure = _figure()
    axes = figure.add_subplot()
    names = list(r.by_category)
    opened = [o for _, o in r.by_category.values()]
    done = [n - o for n, o in r.by_category.values()]
    axes.bar(names, opened, color="tab:orange", label="open")
    axes.bar(names, done, bottom=opened, color="tab:blue", label="resolved or closed")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("tickets")
    axes.set_title(f"{r.project}: tickets by category")
    axes.legend()
    axes.tick_params(axis="x", rotation=30)
    _save(figure, out)


def _sla_chart(r: ProjectReview, out: Target) -> None:
    figure = _figure()
    axes = figure.add_subplot()
    severities = list(r.sla.by_severity)
    width = 0.38
    for offset, target in zip((-width / 2, width / 2), TARGETS, strict=True):
        shares = [_share(r.sla.by_severity[s][target]) for s in severities]
        positions = [i + offset for i in range(len(severities))]
        axes.bar(positions, shares, width, label=target.replace("_", " "))
    axes.set_xticks(range(len(severities)), severities)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% of decided targets met")
    axes.set_title(f"{r.project}: SLA attainment")
    axes.legend()
    _save(figure, out)


def _surveys_chart(r: ProjectReview, out: Target) -> None:
    draw_trend(r.surveys, out, f"{r.project}: surveys per month")


def _training_chart(r: ProjectReview, out: Target) -> None:
    from matplotlib.ticker import MaxNLocator

    figure = _figure()
    left = figure.add_subplot()
    labels = [f"#{line.session.id} {line.session.starts_at:%m-%d}" for line in r.training]
    positions = list(range(len(labels)))
    registered = [x.session.registered for x in r.training]
    attended = [x.session.attended for x in r.training]
    left.bar([p - 0.2 for p in positions], registered, 0.4, label="registered", color="tab:gray")
    left.bar([p + 0.2 for p in positions], attended, 0.4, label="attended", color="tab:green")
    left.set_xticks(positions, labels)
    left.set_ylim(0, max([*registered, *attended, 1]) + 1)
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_ylabel("contacts")
    right = left.twinx()
    right.plot(
        positions, [_nan(x.average) for x in r.training], "D", color="tab:red", label="rating"
    )
    right.set_ylim(0, 5.5)
    right.set_ylabel("average rating (1-5)", color="tab:red")
    handles, names = left.get_legend_handles_labels()
    more, more_names = right.get_legend_handles_labels()
    left.legend(handles + more, names + more_names, loc="upper left")
    left.set_title(f"{r.project}: training")
    _save(figure, out)


_CHARTS: dict[str, Callable[[ProjectReview, Target], None]] = {
    CHART_TICKETS: _tickets_chart,
    CHART_SLA: _sla_chart,
    CHART_SURVEYS: _surveys_chart,
    CHART_TRAINING: _training_chart,
}


# --- formatting ----------------------------------------------------------------------------


def _chart(name: str, alt: str, charts: set[str]) -> list[str]:
    return ["", f"![{alt}]({name})"] if name in charts else []


def _md(text: str) -> str:
    """Table-safe text: no pipes or line breaks from names and titles staff typed."""
    return text.replace("|", "\\|").replace("\n", " ")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _share(tally: Tally) -> float:
    return 0.0 if tally.attainment is None else 100 * tally.attainment
