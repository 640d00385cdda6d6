"""Followups."""
