"""Outbound webhooks: signing, the service, delivery through the outbox, the CLI."""
