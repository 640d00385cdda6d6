"""Tests of features/training."""
