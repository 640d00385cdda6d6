"""Project info."""
