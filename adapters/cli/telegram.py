"""`aftercare telegram ...`: point Telegram's webhook at `aftercare serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.runtime import opened_app, run, settings
from bot.core.errors import InvalidInputError

telegram_app = typer.Typer(help="Telegram set-up.", no_args_is_help=True)


@telegram_app.command("set-webhook")
def set_webhook(
    url: Annotated[
        str, typer.Argument(help="Public HTTPS URL of /telegram/webhook on `aftercare serve`.")
    ],
) -> None:
    """Tell Telegram to POST updates to URL, with AFTERCARE_TELEGRAM_WEBHOOK_SECRET."""

    async def work() -> None:
        if not url.startswith("https://"):
            raise InvalidInputError(f"Telegram only calls HTTPS webhooks; got {url!r}")
        async with opened_app(settings()) as app:
            from adapters.telegram.adapter import TelegramAdapter

            await TelegramAdapter(app).set_webhook(url)
            typer.echo(f"Telegram will POST updates to {url}")

    run(work)
