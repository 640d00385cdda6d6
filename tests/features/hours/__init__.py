"""Tests of features/hours."""
