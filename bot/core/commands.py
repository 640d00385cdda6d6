"""The core's own commands: /help, and honest answers for features not set up."""

from __future__ import annotations

from bot.core.engine import Context, Handler
from bot.core.i18n import t
from bot.core.messages import Reply


async def help_command(ctx: Context, _args: str) -> list[Reply]:
    return [Reply(t("help", ctx.lang), kind="help")]


def not_configured(feature_en: str, feature_zh: str) -> Handler:
    """A command whose feature is not set up: say so plainly rather than pretend."""

    async def handler(ctx: Context, _args: str) -> list[Reply]:
        feature = feature_zh if ctx.lang == "zh" else feature_en
        return [Reply(t("not_configured", ctx.lang, feature=feature), kind="not_configured")]

    return handler
