"""Outbound webhooks: receivers subscribe to events; each event they want becomes a signed
delivery in the durable outbox (sender.py posts it), and every attempt is logged."""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.messages import Address, Reply
from bot.core.protocols import Clock, Outbox
from bot.features.escalation.service import ConversationEscalated
from bot.features.faq.chat import KnowledgeGap
from bot.features.surveys.service import SurveyAnswered
from bot.features.tickets.service import TicketOpened, TicketUpdated, TicketView
from bot.features.webhooks.models import Webhook, WebhookDelivery
from bot.storage.db import Database
from bot.storage.models import Client

log = logging.getLogger(__name__)

CHANNEL = "webhook"  # the outbox channel of deliveries; chat_id is the webhook's id
TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
SURVEY_ANSWERED = "survey.answered"
CONVERSATION_ESCALATED = "conversation.escalated"
KB_GAP = "kb.gap"
EVENTS = (TICKET_CREATED, TICKET_UPDATED, SURVEY_ANSWERED, CONVERSATION_ESCALATED, KB_GAP)
PING = "ping"  # `aftercare webhook test`: sent to one webhook whatever it subscribes to
_SECRET_BYTES = 32
_NAMESPACE = uuid.UUID("7f1c6a52-3a8e-4d4e-9a43-2f0b8c5d7e61")


@dataclass(frozen=True)
class WebhookView:
    """A webhook as listed; its secret is shown once, when it is added."""

    id: int
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class NewWebhook:
    view: WebhookView
    secret: str


@dataclass(frozen=True)
class Attempt:
    """One attempt to deliver one event: what the receiver answered, or the network error."""

    delivery_id: str
    event: str
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    at: datetime


def fingerprint(secret: str) -> str:
    """Names a webhook's secret in a queued delivery, so a delivery queued for a removed
    webhook is never sent to a new one that got its id (SQLite reuses row ids)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


class WebhookService:
    """Adds, lists and removes webhooks; turns events into queued deliveries (the feature's
    listeners call `publish`)."""

    def __init__(self, db: Database, clock: Clock, outbox: Outbox) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox

    # --- administration ------------------------------------------------------------------

    async def add(self, url: str, events: Iterable[str], secret: str | None = None) -> NewWebhook:
        """A new webhook. Without `secret` one is generated; either way it is returned once."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInputError(f"a webhook URL starts with http:// or https://, not {url!r}")
        wanted = tuple(dict.fromkeys(e.strip() for e in events if e.strip()))
        if not wanted:
            raise InvalidInputError(f"name the events to send: {', '.join(EVENTS)}")
        unknown = [e for e in wanted if e not in EVENTS]
        if unknown:
            raise InvalidInputError(
                f"unknown event {', '.join(map(repr, unknown))}: use {', '.join(EVENTS)}"
            )
        if secret is not None:
            secret = secret.strip()
            if not 16 <= len(secret) <= 128:
                raise InvalidInputError("a webhook secret has 16 to 128 characters")
        else:
            secret = secrets.token_hex(_SECRET_BYTES)
        async with self._db.session() as session:
            row = Webhook(
                url=url,
                events=list(wanted),
                secret=secret,
                active=True,
                created_at=self._clock.now(),
            )
            session.add(row)
            await session.flush()
            return NewWebhook(_view(row), secret)

    async def list(self) -> builtins.list[WebhookView]:
        async with self._db.session() as session:
            rows = await session.scalars(select(Webhook).order_by(Webhook.id))
            return [_view(row) for row in rows]

    async def remove(self, webhook_id: int) -> WebhookView:
        """Remove a webhook and its delivery log; deliveries still queued are dropped."""
        async with self._db.session() as session:
            row = await session.get(Webhook, webhook_id)
            if row is None:
                raise NotFoundError(f"no webhook {webhook_id}")
            view = _view(row)
            await session.delete(row)
        return view

    async def deliveries(self, webhook_id: int, limit: int = 50) -> builtins.list[Attempt]:
        """The delivery log of one webhook, newest attempt first."""
        async with self._db.session() as session:
            if await session.get(Webhook, webhook_id) is None:
                raise NotFoundError(f"no webhook {webhook_id}")
            rows = await session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == webhook_id)
                .order_by(WebhookDelivery.id.desc())
                .limit(limit)
            )
            return [
                Attempt(
                    r.delivery_id, r.event, r.attempt, r.status_code, r.error, r.duration_ms, r.at
                )
                for r in rows
            ]

    async def ping(self, webhook_id: int) -> str:
        """Queue a `ping` to one webhook (to test the receiver); returns its delivery id."""
        async with self._db.session() as session:
            row = await session.get(Webhook, webhook_id)
            if row is None:
                raise NotFoundError(f"no webhook {webhook_id}")
            hook = _Target(row.id, row.secret)
        delivery, _ = await self._queue(
            hook, PING, {"webhook_id": webhook_id}, f"ping:{uuid.uuid4()}"
        )
        return delivery

    # --- events --------------------------------------------------------------------------

    async def publish(self, event: str, data: Mapping[str, Any], identity: str) -> int:
        """Queue `event` for every active webhook subscribed to it; returns how many were
        queued. `identity` names this occurrence (a ticket event's id, say): the delivery id
        is derived from it, so a listener run twice for one event queues nothing twice."""
        return await self._queue_all(await self._targets(event), event, data, identity)

    async def on_ticket_opened(self, event: TicketOpened) -> None:
        ticket = event.ticket
        await self.publish(TICKET_CREATED, {"ticket": _ticket(ticket)}, f"ticket:{ticket.id}")

    async def on_ticket_updated(self, event: TicketUpdated) -> None:
        change = {"kind": event.kind, "actor": event.actor, "text": event.text, **event.data}
        data = {"ticket": _ticket(event.ticket), "change": _json(change)}
        await self.publish(TICKET_UPDATED, data, f"ticket-event:{event.event_id}")

    async def on_survey_answered(self, event: SurveyAnswered) -> None:
        await self.publish(SURVEY_ANSWERED, {"survey": _record(event)}, f"survey:{event.survey_id}")

    async def on_conversation_escalated(self, event: ConversationEscalated) -> None:
        await self.publish(
            CONVERSATION_ESCALATED,
            {"conversation": _record(event)},
            f"conversation:{event.conversation_id}:{event.escalation}",
        )

    async def on_knowledge_gap(self, event: KnowledgeGap) -> None:
        targets = await self._targets(KB_GAP)
        if not targets:
            return  # no client to look up
        client = None
        if event.client_id is not None:
            async with self._db.session() as session:
                row = await session.get(Client, event.client_id)
                if row is not None:
                    client = {"id": row.id, "code": row.code, "name": row.name}
        data = {
            "question": event.question,
            "lang": event.lang,
            "client": client,
            "conversation_id": event.conversation_id,
            "message_id": event.message_id,
            "channel": event.channel,
        }
        await self._queue_all(targets, KB_GAP, data, f"message:{event.message_id}")

    async def _targets(self, event: str) -> builtins.list[_Target]:
        """The active webhooks subscribed to `event`."""
        async with self._db.session() as session:
            rows = await session.scalars(select(Webhook).where(Webhook.active))
            return [_Target(r.id, r.secret) for r in rows if event in (r.events or [])]

    async def _queue_all(
        self, targets: builtins.list[_Target], event: str, data: Mapping[str, Any], identity: str
    ) -> int:
        queued = 0
        for target in targets:
            _, new = await self._queue(target, event, data, identity)
            queued += new
        return queued

    async def _queue(
        self, target: _Target, event: str, data: Mapping[str, Any], identity: str
    ) -> tuple[str, bool]:
        """One delivery in the outbox: its id, and False when it was queued before."""
        name = f"{target.id}:{fingerprint(target.secret)}:{event}:{identity}"
        delivery_id = str(uuid.uuid5(_NAMESPACE, name))
        body = json.dumps(
            {
                "id": delivery_id,
                "event": event,
                "created_at": self._clock.now().isoformat(),
                "data": data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        reply = Reply(
            body,
            kind="webhook",
            meta={
                "event": event,
                "delivery": delivery_id,
                "webhook_key": fingerprint(target.secret),
            },
        )
        address = Address(CHANNEL, "", str(target.id))
        queued = await self._outbox.enqueue(address, reply, key=f"webhook:{delivery_id}")
        return delivery_id, queued


@dataclass(frozen=True)
class _Target:
    id: int
    secret: str


def _view(row: Webhook) -> WebhookView:
    return WebhookView(row.id, row.url, tuple(row.events or ()), row.active, row.created_at)


def _ticket(view: TicketView) -> dict[str, Any]:
    """A ticket as JSON: every field of TicketView but its event history."""
    return _json({f.name: getattr(view, f.name) for f in fields(view) if f.name != "events"})


def _record(event: Any) -> dict[str, Any]:
    return _json(asdict(event))


def _json(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
