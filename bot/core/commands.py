"""The core's own commands and jobs: /help read from every feature's declaration, honest
answers for features not set up, and the pruning of handled inbound events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.core.engine import Context, Handler
from bot.core.feature import Command, Feature, Help, JobSpec, help_text
from bot.core.i18n import Lang, t
from bot.core.intake import Intake
from bot.core.messages import Reply
from bot.core.scheduler import Job


class HelpCommand:
    """/help: the intro, then one line per listed command of the app's features."""

    def __init__(self) -> None:
        self.features: Sequence[Feature] = ()  # set once the app's feature list exists

    async def __call__(self, ctx: Context, _args: str) -> list[Reply]:
        return [Reply(help_text(self.features, t("help", ctx.lang), ctx.lang), kind="help")]


def not_linked(lang: Lang) -> Reply:
    """The answer to a sender no client is linked to, where a feature needs one."""
    return Reply(t("not_linked", lang), kind="not_linked")


def not_configured(feature_en: str, feature_zh: str) -> Handler:
    """A command whose feature is not set up: say so plainly rather than pretend."""

    async def handler(ctx: Context, _args: str) -> list[Reply]:
        feature = feature_zh if ctx.lang == "zh" else feature_en
        return [Reply(t("not_configured", ctx.lang, feature=feature), kind="not_configured")]

    return handler


def core_feature(help_command: HelpCommand, intake: Intake, retention: timedelta) -> Feature:
    async def prune_intake(_job: Job) -> None:
        await intake.prune(retention)

    return Feature(
        name="core",
        commands=(Command("help", help_command, Help("what I can do", "查看可用命令")),),
        jobs=(JobSpec("intake.prune", prune_intake, every=timedelta(hours=1)),),
    )
