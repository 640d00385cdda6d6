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


class RateLimitedError(AftercareError):
    """A platform asked us to slow down (HTTP 429); `retry_after` is how long to wait, in s."""

    def __init__(self, retry_after: float, platform: str = "the platform") -> None:
        super().__init__(f"{platform} is rate limiting; retry after {retry_after:g} s")
        self.retry_after = max(0.0, retry_after)


class CannotWriteError(AftercareError):
    """An output file or directory (a report, a chart, an index) cannot be written there."""

    def __init__(self, path: object, exc: OSError) -> None:
        super().__init__(f"cannot write {path}: {os_reason(exc)}")


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, without the path: 'Permission denied', 'Read-only file
    system'. Making a directory where a file is says that, instead of 'File exists'."""
    if isinstance(exc, FileExistsError):
        return f"{exc.filename or 'a part of the path'} is not a directory"
    return exc.strerror or str(exc) or type(exc).__name__
