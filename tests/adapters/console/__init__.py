"""Tests of adapters/console."""
