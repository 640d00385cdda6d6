"""One error tree: every error a user can act on derives from AftercareError."""

from __future__ import annotations


class AftercareError(Exception):
    """Base of every error Aftercare raises on purpose; its message tells the user what to do."""


class ConfigError(AftercareError):
    """A setting is missing or malformed (environment, `.env`, or a config file)."""


class NotFoundError(AftercareError):
    """A client, project, contact, ticket or conversation does not exist (or is not yours)."""


class ConflictError(AftercareError):
    """The change would duplicate something unique (a client name, a channel identity, ...)."""


class InvalidInputError(AftercareError):
    """Input is malformed: a bad date, an unknown SLA tier, an empty name."""


class IndexNotReadyError(AftercareError):
    """No usable knowledge-base index: none built, or one from another model or format."""


class KnowledgeBaseError(AftercareError):
    """A knowledge-base file is invalid; the message names the file and line."""


class DatabaseError(AftercareError):
    """The database is unreachable or its schema is not migrated."""
