"""Tests of features/tickets."""
