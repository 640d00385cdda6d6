"""The REST API (/api/v1) for integrations: FastAPI over the same services as the CLI."""
