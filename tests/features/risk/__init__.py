"""Tests of features/risk."""
