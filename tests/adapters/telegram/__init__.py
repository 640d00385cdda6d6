"""Tests of adapters/telegram."""
