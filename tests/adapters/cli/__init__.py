"""Tests of adapters/cli."""
