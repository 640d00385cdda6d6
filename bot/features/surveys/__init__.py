"""Surveys: CSAT after resolved tickets, NPS per project, follow-ups on low scores."""
