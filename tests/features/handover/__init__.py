"""Tests of features/handover."""
