"""Tests of features/suggestions."""
