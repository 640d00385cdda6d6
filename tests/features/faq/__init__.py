"""Tests of features/faq."""
