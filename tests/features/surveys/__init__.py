"""Tests of features/surveys."""
