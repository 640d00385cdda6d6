"""Channel adapters: translate platform events into core messages and replies into platform calls."""
