"""Webhook commands: `aftercare webhook add|list|remove|deliveries|test`."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.params import ROW_ID, in_range
from adapters.cli.runtime import opened_app, run, settings
from bot.features.webhooks.sender import WebhookSender
from bot.features.webhooks.service import CHANNEL, EVENTS, Attempt, NewWebhook, WebhookView

webhook_app = typer.Typer(
    help="Outbound webhooks: signed HTTP POSTs to your systems when tickets, surveys, "
    "escalations and unanswered questions happen.",
    no_args_is_help=True,
)
IdArg = Annotated[int, typer.Argument(help="The webhook's id (webhook list).", callback=ROW_ID)]


@webhook_app.command("add")
def webhook_add(
    url: Annotated[str, typer.Argument(help="The receiver, http:// or https://.")],
    events: Annotated[str, typer.Option("--events", help=f"Comma-separated: {', '.join(EVENTS)}.")],
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret", help="Signing secret (16-128 characters); generated if not given."
        ),
    ] = None,
) -> None:
    """Add a webhook; prints its id and signing secret (shown this once)."""

    async def work() -> NewWebhook:
        async with opened_app(settings()) as app:
            return await app.webhooks.add(url, events.split(","), secret)

    new = run(work)
    typer.echo(f"webhook {new.view.id}: {new.view.url} ({', '.join(new.view.events)})")
    typer.echo(f"secret: {new.secret}")
    typer.echo("keep the secret: it is not shown again; receivers verify signatures with it")


@webhook_app.command("list")
def webhook_list() -> None:
    """Every webhook and the events it receives."""

    async def work() -> list[WebhookView]:
        async with opened_app(settings()) as app:
            return await app.webhooks.list()

    hooks = run(work)
    if not hooks:
        typer.echo("no webhooks")
    for hook in hooks:
        state = "" if hook.active else "  (inactive)"
        typer.echo(
            f"{hook.id}\t{hook.url}\t{','.join(hook.events)}\t"
            f"added {hook.created_at:%Y-%m-%d %H:%M}Z{state}"
        )


@webhook_app.command("remove")
def webhook_remove(webhook_id: IdArg) -> None:
    """Remove a webhook and its delivery log; deliveries still queued are dropped."""

    async def work() -> WebhookView:
        async with opened_app(settings()) as app:
            return await app.webhooks.remove(webhook_id)

    hook = run(work)
    typer.echo(f"webhook {hook.id} removed ({hook.url})")


@webhook_app.command("deliveries")
def webhook_deliveries(
    webhook_id: IdArg,
    limit: Annotated[int, typer.Option(callback=in_range(1, 10_000))] = 50,
) -> None:
    """The delivery log: every attempt, newest first, with the receiver's answer."""

    async def work() -> list[Attempt]:
        async with opened_app(settings()) as app:
            return await app.webhooks.deliveries(webhook_id, limit)

    attempts = run(work)
    if not attempts:
        typer.echo("no deliveries")
    for a in attempts:
        typer.echo(_line(a))


@webhook_app.command("test")
def webhook_test(webhook_id: IdArg) -> None:
    """Send a `ping` to the webhook now and show what the receiver answered."""

    async def work() -> tuple[str, Attempt | None]:
        async with opened_app(settings()) as app:
            delivery = await app.webhooks.ping(webhook_id)
            sender = WebhookSender(app.db, app.clock)
            try:
                # The webhook's deliveries go out in order: earlier ones due now go first.
                for _ in range(20):
                    if await app.outbox.deliver_one({CHANNEL: sender}, str(webhook_id)) is None:
                        break
                    log = await app.webhooks.deliveries(webhook_id, 20)
                    tried = [a for a in log if a.delivery_id == delivery]
                    if tried:
                        return delivery, tried[0]
            finally:
                await sender.aclose()
            return delivery, None

    delivery, attempt = run(work)
    if attempt is None:
        typer.echo(f"ping {delivery} queued; a running serve or worker sends it")
        return
    typer.echo(_line(attempt))
    if attempt.error is not None:
        typer.echo("the outbox tries again with backoff (aftercare webhook deliveries ID)")
        raise typer.Exit(1)


def _line(a: Attempt) -> str:
    answer = f"HTTP {a.status_code}" if a.status_code is not None else "no answer"
    error = f"\t{a.error}" if a.error and a.status_code is None else ""
    return (
        f"{a.at:%Y-%m-%d %H:%M:%S}Z\t{a.event}\t{a.delivery_id}\tattempt {a.attempt}\t"
        f"{answer}\t{a.duration_ms} ms{error}"
    )
