"""Surveys (CSAT after a ticket, NPS per project): what they add to chat and the scheduler, and
the events that start them."""

from __future__ import annotations

from bot.core.events import ProjectChanged
from bot.core.feature import Feature, Listen, TextRule
from bot.features.surveys.chat import SurveyChat
from bot.features.surveys.service import SurveyService
from bot.features.tickets.service import TicketResolved

# First: a comment under way must not be read as a request for a person, a new ticket or a
# question for the FAQ.
TEXT_PRIORITY = 100


def surveys_feature(surveys: SurveyService, chat: SurveyChat) -> Feature:
    return Feature(
        name="surveys",
        buttons={"survey": chat.on_button},
        text=(TextRule(TEXT_PRIORITY, chat.on_text),),
        jobs=surveys.jobs(),
        listeners=(
            Listen(TicketResolved, surveys.ticket_resolved),
            Listen(ProjectChanged, surveys.project_changed),
        ),
    )
