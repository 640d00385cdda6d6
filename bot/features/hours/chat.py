"""/hours in chat: the support hours of the client's projects and whether the team is in now."""

from __future__ import annotations

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.i18n import Lang, say, t
from bot.core.localtime import local_time
from bot.core.messages import Reply
from bot.features.hours.phrases import DAY_NAMES, PHRASES
from bot.features.hours.service import Hours, SupportHours


class HoursChat:
    def __init__(self, hours: SupportHours) -> None:
        self._hours = hours

    async def show(self, ctx: Context, _args: str) -> list[Reply]:
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        found = await self._hours.of_client(ctx.turn.client_id)
        if not found:
            return [Reply(t("no_project", ctx.lang), kind="hours")]
        return [Reply("\n\n".join(_describe(h, ctx.lang) for h in found), kind="hours")]


def _describe(hours: Hours, lang: Lang) -> str:
    line = say(
        PHRASES,
        "hours",
        lang,
        project=hours.project,
        tier=hours.tier,
        days=days_text(hours.days, lang),
        start=hours.start.strftime("%H:%M"),
        end=hours.end.strftime("%H:%M"),
        tz=hours.timezone,
    )
    if hours.opens_at is None:
        return f"{line}\n{say(PHRASES, 'in_now', lang)}"
    opens = local_time(hours.opens_at, hours.timezone)
    return f"{line}\n{say(PHRASES, 'out_now', lang, opens=opens, tz=hours.timezone)}"


def days_text(days: frozenset[int], lang: Lang) -> str:
    """Working days as people write them: a run of three or more joined ("Mon-Fri"), the others
    listed ("Mon, Wed")."""
    names, runs = DAY_NAMES[lang], list[list[int]]()
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    dash, comma = ("至", "、") if lang == "zh" else ("-", ", ")
    parts: list[str] = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{names[run[0]]}{dash}{names[run[-1]]}")
        else:
            parts += [names[d] for d in run]
    return comma.join(parts)
