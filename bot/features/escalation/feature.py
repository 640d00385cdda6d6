"""Escalation (the client asks for a person, or the bot cannot help): what it adds to chat, the
staff channel, the scheduler and the ticket events."""

from __future__ import annotations

from bot.core.feature import Command, Feature, Help, JobSpec, Listen, TextRule
from bot.features.escalation.chat import EscalationChat
from bot.features.escalation.desk import STAFF_PREFIX
from bot.features.escalation.reminders import REMIND_JOB
from bot.features.escalation.service import EscalationService
from bot.features.escalation.staff import EscalationStaffActions
from bot.features.tickets.service import TicketOpened

# After a survey comment under way (surveys), before the handover and ticket forms: "I want to
# talk to a person" is never a checklist problem or a ticket title.
TEXT_PRIORITY = 200


def escalation_feature(escalation: EscalationService, chat: EscalationChat) -> Feature:
    return Feature(
        name="escalation",
        gates=(chat.gate,),  # while a person has the conversation, the bot stays quiet
        commands=(
            Command("human", chat.human, Help("talk to a person", "转人工")),
            Command("bot", chat.bot),
        ),
        buttons={"human": chat.human},
        text=(TextRule(TEXT_PRIORITY, chat.on_text),),
        watchers=(chat.after_faq,),  # "I don't know" twice in a row asks a person in
        jobs=(JobSpec(REMIND_JOB, escalation.reminders.remind),),
        listeners=(Listen(TicketOpened, escalation.on_ticket_opened),),
        staff_actions={STAFF_PREFIX: EscalationStaffActions(escalation).on_click},
    )
