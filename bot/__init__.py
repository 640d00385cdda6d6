"""Aftercare's channel-agnostic core: dialogue, FAQ, tickets, surveys, follow-ups, handoff."""
