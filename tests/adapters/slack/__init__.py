"""Tests of adapters/slack."""
