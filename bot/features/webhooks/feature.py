"""Outbound webhooks: the events they listen to (tickets, surveys, escalation, the FAQ's
"I don't know"); nothing in chat."""

from __future__ import annotations

from bot.core.feature import Feature, Listen
from bot.features.escalation.service import ConversationEscalated
from bot.features.faq.chat import KnowledgeGap
from bot.features.surveys.service import SurveyAnswered
from bot.features.tickets.service import TicketOpened, TicketUpdated
from bot.features.webhooks.service import WebhookService


def webhooks_feature(webhooks: WebhookService) -> Feature:
    return Feature(
        name="webhooks",
        listeners=(
            Listen(TicketOpened, webhooks.on_ticket_opened),
            Listen(TicketUpdated, webhooks.on_ticket_updated),
            Listen(SurveyAnswered, webhooks.on_survey_answered),
            Listen(ConversationEscalated, webhooks.on_conversation_escalated),
            Listen(KnowledgeGap, webhooks.on_knowledge_gap),
        ),
    )
