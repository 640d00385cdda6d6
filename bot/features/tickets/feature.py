"""Tickets: what the feature adds to chat, the staff channel and the scheduler."""

from __future__ import annotations

from datetime import timedelta

from bot.core.feature import Command, Feature, Help, JobSpec, TextRule
from bot.core.scheduler import Job
from bot.core.settings import Settings
from bot.features.tickets.chat import TicketChat
from bot.features.tickets.service import TicketService
from bot.features.tickets.staff import PREFIX, TicketStaffActions

# After surveys, escalation, handover and suggestions: text that is none of theirs and not a
# form under way may be a ticket report before it is an FAQ question.
TEXT_PRIORITY = 400


def tickets_feature(tickets: TicketService, chat: TicketChat, settings: Settings) -> Feature:
    async def check_sla(_job: Job) -> None:
        await tickets.check_sla()

    async def sweep_waiting(_job: Job) -> None:
        await tickets.sweep_waiting(
            timedelta(days=settings.waiting_reminder_days),
            timedelta(days=settings.waiting_autoclose_days),
        )

    return Feature(
        name="tickets",
        commands=(
            Command(
                "ticket",
                chat.ticket_command,
                Help("report a problem or request", "报告问题或提交请求"),
            ),
            Command(
                "mytickets",
                chat.my_tickets,
                Help("your organisation's open tickets", "本单位未关闭的工单"),
            ),
            Command("status", chat.status, Help("check a ticket", "查询工单", "NUMBER", "编号")),
            Command("comment", chat.comment_command),
            Command("reopen", chat.reopen_command),
            Command("cancel", chat.cancel_command),
        ),
        buttons={"ticket": chat.on_button},
        text=(TextRule(TEXT_PRIORITY, chat.on_text),),
        jobs=(
            JobSpec("sla.check", check_sla, every=timedelta(seconds=settings.sla_check_seconds)),
            JobSpec("tickets.waiting", sweep_waiting, every=timedelta(minutes=15)),
        ),
        staff_actions={PREFIX: TicketStaffActions(tickets).on_click},
    )
