"""Tests of features/review."""
