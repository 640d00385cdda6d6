"""Tests of features/followups."""
