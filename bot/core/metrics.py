"""Prometheus metrics of one process, in a registry of its own (no global state)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.core.i18n import Lang
from bot.core.protocols import KbHit, KbResult, KnowledgeBase

# Turns and sends on loopback take milliseconds; a slow database or model takes seconds.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """What `/metrics` shows. Counters and histograms are per process; the backlog gauges are
    read from the shared database when scraped, so every replica shows the same queue."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.events_received = Counter(
            "aftercare_events_received",
            "Platform events recorded at intake (outcome: new or duplicate).",
            ["channel", "outcome"],
            registry=r,
        )
        self.events_rejected = Counter(
            "aftercare_events_rejected",
            "Requests refused before intake (reason: signature, size, malformed, unavailable).",
            ["channel", "reason"],
            registry=r,
        )
        self.events_processed = Counter(
            "aftercare_events_processed", "Inbound events processed.", ["channel"], registry=r
        )
        self.events_failed = Counter(
            "aftercare_events_failed",
            "Inbound event processing attempts that failed (retried).",
            ["channel"],
            registry=r,
        )
        self.turn_seconds = Histogram(
            "aftercare_turn_seconds",
            "Time to process one inbound event, claim to done.",
            ["channel"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.retrieval_seconds = Histogram(
            "aftercare_retrieval_seconds",
            "Knowledge-base lookup time.",
            buckets=_BUCKETS,
            registry=r,
        )
        self.outbox_sent = Counter(
            "aftercare_outbox_sent", "Messages the outbox delivered.", ["channel"], registry=r
        )
        self.outbox_failed = Counter(
            "aftercare_outbox_send_failures",
            "Outbox send attempts that failed (kind: error or rate_limited).",
            ["channel", "kind"],
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "aftercare_outbox_backlog", "Outbox messages by state.", ["state"], registry=r
        )
        self.inbound_backlog = Gauge(
            "aftercare_inbound_backlog", "Inbound events by state.", ["state"], registry=r
        )
        self.job_queue_depth = Gauge(
            "aftercare_job_queue_depth", "Scheduler jobs by state.", ["state"], registry=r
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


class TimedKnowledgeBase:
    """A KnowledgeBase that records each lookup's time in `retrieval_seconds`."""

    def __init__(self, kb: KnowledgeBase, metrics: Metrics) -> None:
        self._kb = kb
        self._seconds = metrics.retrieval_seconds

    async def lookup(self, question: str, lang: Lang, about: tuple[str, ...] = ()) -> KbResult:
        started = time.perf_counter()
        try:
            return await self._kb.lookup(question, lang, about)
        finally:
            self._seconds.observe(time.perf_counter() - started)

    async def section_for(
        self, article_id: str, question: str, lang: Lang, about: tuple[str, ...] = ()
    ) -> KbHit | None:
        return await self._kb.section_for(article_id, question, lang, about)
