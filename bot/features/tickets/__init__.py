"""Maintenance tickets: SLA calendars and policies, the staff service, and the chat side."""
