"""Tests of features/invites."""
