"""The webhook service on SQLite and PostgreSQL: adding, listing and removing webhooks, and each
of the five events queued once in the outbox for a webhook that wants it, never for one that
does not."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.settings import Settings
from bot.features.tickets.service import TicketOpened
from bot.features.webhooks.service import CHANNEL, EVENTS
from bot.storage.models import OutboxItem
from tests.support.surveys import chat_as, open_ticket, resolved_ticket, surveys

URL = "https://hooks.example.com/aftercare"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.slack_staff_channel = "CSTAFF"  # escalation needs somewhere for staff to look
    settings.kb_dir = tmp_path / "kb"
    return settings


async def queued(app: App) -> list[tuple[int, str, dict[str, Any], OutboxItem]]:
    """(webhook id, event, body, row) of every queued delivery."""
    async with app.db.session() as session:
        rows = await session.scalars(
            select(OutboxItem).where(OutboxItem.channel == CHANNEL).order_by(OutboxItem.id)
        )
        return [
            (int(r.chat_id), r.reply["meta"]["event"], json.loads(r.reply["text"]), r) for r in rows
        ]


async def test_add_list_remove(seeded: App) -> None:
    new = await seeded.webhooks.add(URL, ["ticket.created", " kb.gap", "ticket.created"])
    assert new.view.events == ("ticket.created", "kb.gap")
    assert len(new.secret) == 64 and int(new.secret, 16) >= 0  # 32 random bytes, hex
    chosen = await seeded.webhooks.add("http://127.0.0.1:9/x", ["kb.gap"], "my-own-secret-123456")
    assert chosen.secret == "my-own-secret-123456"
    listed = await seeded.webhooks.list()
    assert [(h.id, h.url, h.active) for h in listed] == [
        (new.view.id, URL, True),
        (chosen.view.id, "http://127.0.0.1:9/x", True),
    ]
    assert await seeded.webhooks.deliveries(new.view.id, 10) == []
    await seeded.webhooks.remove(new.view.id)
    assert [h.id for h in await seeded.webhooks.list()] == [chosen.view.id]
    with pytest.raises(NotFoundError, match=f"no webhook {new.view.id}"):
        await seeded.webhooks.remove(new.view.id)
    with pytest.raises(NotFoundError):
        await seeded.webhooks.deliveries(new.view.id, 10)


@pytest.mark.parametrize(
    ("url", "events", "secret", "message"),
    [
        ("ftp://example.com/x", ["kb.gap"], None, "http:// or https://"),
        ("example.com/x", ["kb.gap"], None, "http:// or https://"),
        ("https://", ["kb.gap"], None, "http:// or https://"),
        (URL, [], None, "name the events"),
        (URL, ["ticket.created", "ticket.deleted"], None, "unknown event 'ticket.deleted'"),
        (URL, ["kb.gap"], "short", "16 to 128 characters"),
    ],
)
async def test_bad_input_is_refused_and_says_what_is_valid(
    seeded: App, url: str, events: list[str], secret: str | None, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        await seeded.webhooks.add(url, events, secret)
    if "unknown event" in message:
        assert all(name in str(caught.value) for name in EVENTS)
    assert await seeded.webhooks.list() == []


# --- each event: one delivery to the webhook that wants it, none to the others -------------


async def _ticket_created(app: App, clock: FakeClock) -> None:
    await open_ticket(await chat_as(app, "alice"))


async def _ticket_updated(app: App, clock: FakeClock) -> None:
    ref = await open_ticket(await chat_as(app, "alice"))
    await app.tickets.acknowledge(ref, "bob")


async def _survey_answered(app: App, clock: FakeClock) -> None:
    await resolved_ticket(app, await chat_as(app, "alice"))
    clock.advance(timedelta(days=1))  # the CSAT question is due a day after the resolution
    await app.scheduler.run_due()
    [survey] = await surveys(app)
    assert (await app.surveys.vote(survey.id, 2, survey.client_id)).accepted


async def _conversation_escalated(app: App, clock: FakeClock) -> None:
    replies = await (await chat_as(app, "alice")).say("/human")
    assert replies[0].kind == "handoff_escalated"


async def _kb_gap(app: App, clock: FakeClock) -> None:
    replies = await (await chat_as(app, "alice")).say("What is the airspeed of a swallow?")
    assert replies[-1].kind == "faq_abstain"  # after any pushed ticket update


SCENARIOS: dict[str, Callable[[App, FakeClock], Awaitable[None]]] = {
    "ticket.created": _ticket_created,
    "ticket.updated": _ticket_updated,
    "survey.answered": _survey_answered,
    "conversation.escalated": _conversation_escalated,
    "kb.gap": _kb_gap,
}


@pytest.mark.parametrize("event", EVENTS)
async def test_each_event_queues_one_delivery_for_a_webhook_that_wants_it(
    seeded: App, clock: FakeClock, event: str
) -> None:
    wants = await seeded.webhooks.add(URL, [event])
    others = await seeded.webhooks.add(f"{URL}/others", [e for e in EVENTS if e != event])
    await SCENARIOS[event](seeded, clock)
    mine = [(hook, body) for hook, name, body, _ in await queued(seeded) if name == event]
    assert [hook for hook, _ in mine] == [wants.view.id]
    assert others.view.id not in {
        hook for hook, name, _, _ in await queued(seeded) if name == event
    }
    [(_, body)] = mine
    assert body["event"] == event and set(body) == {"id", "event", "created_at", "data"}
    assert body["created_at"].startswith(clock.now().date().isoformat())


async def test_payloads_carry_the_ticket_survey_conversation_and_question(
    seeded: App, clock: FakeClock
) -> None:
    hook = await seeded.webhooks.add(URL, EVENTS)
    alice = await chat_as(seeded, "alice")
    await alice.say("What is the airspeed of a swallow?")
    await _survey_answered(seeded, clock)  # opens ACME-1, resolves it, the CSAT is a 2
    await alice.say("/human")
    bodies = {name: body for _, name, body, _ in await queued(seeded)}
    gap = bodies["kb.gap"]["data"]
    assert gap["question"] == "What is the airspeed of a swallow?" and gap["lang"] == "en"
    assert gap["client"]["code"] == "ACME" and gap["channel"] == "console"
    assert isinstance(gap["conversation_id"], int)
    ticket = bodies["ticket.created"]["data"]["ticket"]
    assert (ticket["ref"], ticket["status"], ticket["client_code"]) == ("ACME-1", "new", "ACME")
    assert ticket["severity"] == "P3" and ticket["reporter"] == "alice"
    assert "events" not in ticket and ticket["created_at"].endswith("+00:00")
    updated = bodies["ticket.updated"]["data"]  # the last one: the resolution
    assert updated["ticket"]["status"] == "resolved"
    assert updated["change"] == {
        "kind": "status",
        "actor": "bob",
        "text": "Fixed",
        "from": "new",
        "to": "resolved",
    }
    survey = bodies["survey.answered"]["data"]["survey"]
    assert (survey["kind"], survey["score"], survey["low"], survey["ticket"]) == (
        "csat",
        2,
        True,
        "ACME-1",
    )
    assert survey["contact"] == "alice" and survey["project"] == "Portal"
    escalated = bodies["conversation.escalated"]["data"]["conversation"]
    assert escalated["client_code"] == "ACME" and escalated["contact"] == "alice"
    assert escalated["escalation"] == 1 and escalated["channel"] == "console"
    for _, event, body, row in await queued(seeded):
        assert row.idempotency_key == f"webhook:{body['id']}"
        assert row.reply["meta"] == {**row.reply["meta"], "event": event, "delivery": body["id"]}
        assert row.chat_id == str(hook.view.id)


async def test_a_listener_run_twice_queues_nothing_twice(seeded: App) -> None:
    await seeded.webhooks.add(URL, ["ticket.created"])
    ref = await open_ticket(await chat_as(seeded, "alice"))
    view = await seeded.tickets.get(ref)
    assert await seeded.webhooks.publish("ticket.created", {}, f"ticket:{view.id}") == 0
    await seeded.webhooks.on_ticket_opened(TicketOpened(view))
    assert len(await queued(seeded)) == 1


async def test_without_webhooks_nothing_is_queued(seeded: App, clock: FakeClock) -> None:
    await _ticket_updated(seeded, clock)
    await _kb_gap(seeded, clock)
    assert await queued(seeded) == []
