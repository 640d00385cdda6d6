"""The Slack channel: Bolt app (HTTP events or Socket Mode), Block Kit rendering, staff threads."""
