"""Tests of features/announcements."""
