"""The one ASGI app of `aftercare serve`: health, platform webhooks and the REST API."""
