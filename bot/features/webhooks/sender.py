"""The outbox's Sender for channel "webhook": POSTs a queued delivery to its receiver, signed,
and logs the attempt; a failure raises so the outbox retries it with its backoff."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

import httpx
from sqlalchemy import func, select

from bot.core.errors import AftercareError, RateLimitedError
from bot.core.messages import Address, Reply
from bot.core.protocols import Clock
from bot.features.webhooks.models import Webhook, WebhookDelivery
from bot.features.webhooks.service import fingerprint
from bot.features.webhooks.signing import sign
from bot.storage.db import Database

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for the whole exchange with a receiver
_DEFAULT_RETRY_AFTER = 60.0


class DeliveryFailedError(AftercareError):
    """A receiver answered a webhook delivery with a status other than 2xx and 429, or could
    not be reached; the outbox tries again later."""


class WebhookSender:
    """Implements Sender for deliveries queued by WebhookService. A delivery whose webhook was
    removed (or replaced) since is dropped, not sent. Close it with `aclose`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        timeout: float = TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": "Aftercare-Webhooks/1", "Content-Type": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, address: Address, reply: Reply) -> str | None:
        webhook_id = int(address.chat_id)
        event, delivery = reply.meta.get("event", ""), reply.meta.get("delivery", "")
        async with self._db.session() as session:
            hook = await session.get(Webhook, webhook_id)
            if (
                hook is None
                or not hook.active
                or fingerprint(hook.secret) != reply.meta.get("webhook_key")
            ):
                log.info(
                    "webhook delivery dropped: the webhook was removed",
                    extra={"webhook": webhook_id, "delivery": delivery, "event": event},
                )
                return None
            url, secret = hook.url, hook.secret
            attempt = 1 + int(
                await session.scalar(
                    select(func.count()).where(WebhookDelivery.delivery_id == delivery)
                )
                or 0
            )
        body = reply.text.encode()
        timestamp = str(int(self._clock.now().timestamp()))
        headers = {
            "X-Aftercare-Event": event,
            "X-Aftercare-Delivery": delivery,
            "X-Aftercare-Timestamp": timestamp,
            "X-Aftercare-Signature": sign(secret, timestamp, body),
        }
        started = time.monotonic()
        response: httpx.Response | None = None
        error: str | None = None
        try:
            response = await self._http.post(url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        duration_ms = int((time.monotonic() - started) * 1000)
        status = response.status_code if response is not None else None
        if response is not None and not response.is_success:
            error = f"HTTP {status}"
        await self._log(webhook_id, event, delivery, attempt, status, error, duration_ms)
        if response is None:
            raise DeliveryFailedError(f"webhook {webhook_id}: {error}")
        if status == 429:
            raise RateLimitedError(_retry_after(response), f"webhook {webhook_id}")
        if not response.is_success:
            raise DeliveryFailedError(f"webhook {webhook_id} answered HTTP {status}")
        return delivery

    async def _log(
        self,
        webhook_id: int,
        event: str,
        delivery: str,
        attempt: int,
        status: int | None,
        error: str | None,
        duration_ms: int,
    ) -> None:
        """One row in the delivery log. A failure to write it is logged and does not fail the
        delivery (which would send an accepted one again)."""
        try:
            async with self._db.session() as session:
                if await session.get(Webhook, webhook_id) is None:
                    return  # removed while the request was under way
                session.add(
                    WebhookDelivery(
                        webhook_id=webhook_id,
                        event=event[:64],
                        delivery_id=delivery[:64],
                        attempt=attempt,
                        status_code=status,
                        error=error,
                        duration_ms=duration_ms,
                        at=self._clock.now(),
                    )
                )
        except Exception:
            log.exception("webhook delivery log not written", extra={"delivery": delivery})


def _retry_after(response: httpx.Response) -> float:
    """Retry-After in seconds or as an HTTP date; a minute when it is missing or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return _DEFAULT_RETRY_AFTER
    try:
        return max(0.0, min(3600.0, float(value)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return _DEFAULT_RETRY_AFTER
    return max(0.0, min(3600.0, when.timestamp() - time.time()))
