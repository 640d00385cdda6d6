"""`aftercare report deflection`: how many client questions the FAQ answered without a person."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.runtime import opened_app, run, settings
from bot.features.faq.deflection import LANGS, Deflection, deflection


def report_deflection(
    weeks: Annotated[int, typer.Option(min=1, help="The last N ISO weeks, this one included.")] = 8,
) -> None:
    """Of the client questions the FAQ took, how many it answered without a person (no
    escalation within 24 h), by week and language."""

    async def work() -> None:
        config = settings()
        async with opened_app(config) as app:
            now = app.clock.now()
            monday = now - timedelta(days=now.weekday())
            since = monday.replace(hour=0, minute=0, second=0, microsecond=0)
            since -= timedelta(weeks=weeks - 1)
            async with app.db.session() as session:
                report = await deflection(session, since=since)
        table = Table("week", "lang", "questions", "answered", "deflected", "rate")
        for week in report.weeks:
            for lang, part in (("all", week.all), *((g, week.by_lang[g]) for g in LANGS)):
                if part.questions:
                    table.add_row(week.week, lang, *_counts(part))
        for lang, part in (("all", report.all), *((g, report.by_lang[g]) for g in LANGS)):
            table.add_row("total", lang, *_counts(part))
        Console(width=120, highlight=False).print(table)

    run(work)


def _counts(part: Deflection) -> tuple[str, str, str, str]:
    rate = "-" if part.rate is None else f"{part.rate:.0%}"
    return str(part.questions), str(part.answered), str(part.deflected), rate
