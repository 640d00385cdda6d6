"""Tests of features/project_info."""
