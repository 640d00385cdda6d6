"""Features declare what they add; the app assembles routes, /help, menus, jobs and listeners
from the declarations, so none of them can drift from another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.telegram.adapter import command_menu
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.engine import Context
from bot.core.errors import ConfigError
from bot.core.events import Events, ProjectChanged
from bot.core.feature import Command, Feature, Help, TextRule, assemble, listed, slack_usage
from bot.core.i18n import Lang
from bot.core.messages import Reply
from bot.features.escalation.feature import TEXT_PRIORITY as ESCALATION
from bot.features.handover.feature import TEXT_PRIORITY as HANDOVER
from bot.features.suggestions.feature import TEXT_PRIORITY as SUGGESTIONS
from bot.features.surveys.feature import TEXT_PRIORITY as SURVEYS
from bot.features.tickets.feature import TEXT_PRIORITY as TICKETS
from tests.support.helpers import console_message

MANIFEST = Path(__file__).resolve().parents[2] / "slack-app-manifest.yml"


async def _nothing(_ctx: Context) -> list[Reply] | None:
    return None


async def _said(_ctx: Context, _args: str) -> list[Reply]:
    return []


def test_text_rules_run_by_priority_whatever_the_list_order() -> None:
    async def late(_ctx: Context) -> list[Reply] | None:
        return None

    routes = assemble(
        [
            Feature("late", text=(TextRule(20, late),)),
            Feature("early", text=(TextRule(10, _nothing),)),
        ]
    )
    assert routes.text == [_nothing, late]


@pytest.mark.parametrize(
    "features",
    [
        [
            Feature("a", commands=(Command("x", _said),)),
            Feature("b", commands=(Command("x", _said),)),
        ],
        [Feature("a", buttons={"p": _said}), Feature("b", buttons={"p": _said})],
        [Feature("a", text=(TextRule(5, _nothing),)), Feature("b", text=(TextRule(5, _nothing),))],
    ],
    ids=["command", "button", "priority"],
)
def test_two_features_cannot_claim_the_same_thing(features: list[Feature]) -> None:
    with pytest.raises(ConfigError, match="claimed by both a and b"):
        assemble(features)


def test_the_text_order_is_surveys_escalation_handover_suggestions_tickets() -> None:
    assert SURVEYS < ESCALATION < HANDOVER < SUGGESTIONS < TICKETS


async def test_help_lists_every_listed_command_and_each_one_routes(
    seeded: App, clock: FakeClock
) -> None:
    names = [name for name, _ in listed(seeded.features)]
    assert {"ticket", "status", "training", "human", "project", "handover", "suggest"} <= set(names)
    for lang, user in (("en", "alice"), ("zh", "wang")):
        shown = (await seeded.engine.handle(console_message(clock, "/help", user=user)))[0].text
        assert [line.split()[0][1:] for line in shown.splitlines()[1:]] == names, lang
    for name in names:
        replies = await seeded.engine.handle(console_message(clock, f"/{name}"))
        assert replies and all(r.kind != "unknown_command" for r in replies), name
        await seeded.engine.handle(console_message(clock, "/cancel"))


def test_the_telegram_menu_is_the_help_list_plus_ask(app: App) -> None:
    langs: tuple[Lang, ...] = ("en", "zh")
    for lang in langs:
        menu = command_menu(app.features, lang)
        assert [name for name, _ in menu] == [n for n, _ in listed(app.features)] + ["ask"]
        assert all(0 < len(text) <= 256 for _, text in menu)  # Telegram's limit
    assert "training" in dict(command_menu(app.features, "en"))


def test_the_slack_manifest_describes_the_listed_commands(app: App) -> None:
    match = re.search(
        r"command: /aftercare\n(?:.*\n)*?\s+description: \"(.*)\"", MANIFEST.read_text()
    )
    assert match is not None
    assert match.group(1) == slack_usage(app.features)


def test_help_line_shows_the_arguments_in_the_language() -> None:
    status = Help("check a ticket", "查询工单", "NUMBER", "编号")
    assert status.line("status", "en") == "/status NUMBER - check a ticket"
    assert status.line("status", "zh") == "/status 编号 - 查询工单"


def test_the_app_routes_staff_clicks_of_tickets_and_escalation(app: App) -> None:
    assert set(app.staff_actions) == {"staff", "handoff"}
    kinds = set(app.scheduler.kinds)
    assert {"sla.check", "handoff.remind", "survey.csat", "followup.checkin", "risk.check"} <= kinds


async def test_a_failing_listener_neither_stops_the_next_nor_hides_its_failure() -> None:
    events, heard = Events(), []

    async def broken(_event: ProjectChanged) -> None:
        raise RuntimeError("boom")

    async def fine(event: ProjectChanged) -> None:
        heard.append(event.project_id)

    events.on(ProjectChanged, broken)
    events.on(ProjectChanged, fine)
    failures = await events.emit(ProjectChanged(7))
    assert heard == [7]
    assert [str(f) for f in failures] == ["boom"]
    assert await events.emit(object()) == []  # nobody listens: nothing happens
