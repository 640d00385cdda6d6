"""EscalationStart."""
