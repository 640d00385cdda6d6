"""Support hours: /hours tells a client when the team is in, and whether it is in now."""
