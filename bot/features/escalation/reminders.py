"""Escalation's reminders: nobody took a waiting conversation yet, so staff hear again (up to
MAX_REMINDERS times, at-least-once safe)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.protocols import Clock
from bot.core.scheduler import Job, Jobs
from bot.features.escalation.desk import Desk, staff_buttons
from bot.features.escalation.state import EscalationState, States

log = logging.getLogger(__name__)

REMIND_JOB = "handoff.remind"
MAX_REMINDERS = 3


class Reminders:
    def __init__(
        self,
        states: States,
        desk: Desk,
        clock: Clock,
        remind_after: timedelta,
        scheduler: Jobs | None,
        *,
        staff_configured: bool,
    ) -> None:
        self._states = states
        self._desk = desk
        self._clock = clock
        self._remind_after = remind_after
        self._scheduler = scheduler
        self._staff_configured = staff_configured

    async def remind(self, job: Job) -> None:
        """Scheduler handler: nobody took the escalation yet; remind staff (at-least-once safe)."""
        conversation_id = int(job.payload["conversation_id"])
        number, count = int(job.payload["escalation"]), int(job.payload["count"])
        current = await self._states.view(conversation_id)
        if current.state is not EscalationState.WAITING or current.escalations != number:
            return
        minutes = int(self._remind_after.total_seconds() // 60) * count
        party = await self._desk.party(conversation_id)
        key = f"handoff:remind:{conversation_id}:{number}:{count}"
        sent = await self._desk.tell_staff(
            conversation_id,
            f"Reminder: {party.name} has waited {minutes} min for a person and nobody took it yet.",
            key=key,
            buttons=staff_buttons(conversation_id, take=True),
            top_level=True,
        )
        if not sent and not self._staff_configured:
            log.warning("conversation %s has waited %s min for a person", conversation_id, minutes)
        if sent:
            await self._states.record(
                conversation_id, "scheduler", "reminded", current.state, f"after {minutes} min"
            )
        if count < MAX_REMINDERS:
            await self.schedule(conversation_id, number, count + 1)

    async def schedule(self, conversation_id: int, number: int, count: int) -> None:
        if self._scheduler is None:
            return
        await self._scheduler.schedule(
            REMIND_JOB,
            {"conversation_id": conversation_id, "escalation": number, "count": count},
            self._clock.now() + self._remind_after,
            key=f"handoff:remind:{conversation_id}:{number}:{count}",
        )

    async def cancel(self, conversation_id: int) -> None:
        if self._scheduler is not None:
            await self._scheduler.cancel_prefix(f"handoff:remind:{conversation_id}:")
