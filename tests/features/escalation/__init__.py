"""Tests of features/escalation."""
