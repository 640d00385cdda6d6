"""Shared checks on CLI parameters: numbers the database can hold, output paths that can be
written. Each failure is one `error:` line and exit code 1, like every other CLI error."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from bot.core.errors import CannotWriteError

MAX_ID = 2**63 - 1  # PostgreSQL BIGINT and SQLite INTEGER; a larger number overflows the driver


def in_range(low: int, high: int) -> Callable[[typer.CallbackParam, int | None], int | None]:
    """A typer `callback=` that refuses a number outside low..high (None, an absent optional
    argument, passes). Unlike typer's `min`/`max` it prints one `error:` line, not a usage box."""

    def check(param: typer.CallbackParam, value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            flags = [o for o in param.opts if o.startswith("-")]
            name = flags[0] if flags else param.name.upper()
            typer.echo(f"error: {name} must be from {low} to {high}, not {value}", err=True)
            raise typer.Exit(1)
        return value

    return check


ROW_ID = in_range(1, MAX_ID)
"""The check for a row number given on the command line (a job, a session, a conversation)."""


@contextmanager
def output_dir(folder: Path, *, shown: Path | None = None) -> Iterator[Path]:
    """A scratch directory inside `folder` (made if need be) for the block to write into. When
    the block succeeds its files replace those of the same name in `folder`; when it fails
    nothing is left, not even the directories made for it. OSError: CannotWriteError."""
    shown = folder if shown is None else shown
    folder = folder.absolute()
    made = None
    try:
        made = _first_missing(folder)
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder))
    except OSError as exc:
        _remove_made(folder, made)
        raise CannotWriteError(shown, exc) from None
    done = False
    try:
        yield staging
        for item in sorted(staging.iterdir()):
            os.replace(item, folder / item.name)
        done = True
    except OSError as exc:
        raise CannotWriteError(shown, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not done:
            _remove_made(folder, made)


@contextmanager
def output_file(path: Path) -> Iterator[Path]:
    """Where the block writes `path`: the file appears whole when the block succeeds, or not at
    all (an earlier file stays as it was). OSError: CannotWriteError naming `path`."""
    with output_dir(path.parent, shown=path) as staging:
        yield staging / path.name


def check_writable_dir(folder: Path) -> None:
    """CannotWriteError now, rather than after minutes of work, when `folder` cannot be made
    or replaced; for writers that stage their output next to it (the index). Makes nothing."""
    try:
        parent = folder.absolute().parent
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        made = _first_missing(parent)
        base = parent if made is None else made.parent
        if not base.is_dir():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(base))
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as exc:
        raise CannotWriteError(folder, exc) from None


def _first_missing(path: Path) -> Path | None:
    """The outermost of `path` and its ancestors that does not exist (None: `path` exists)."""
    missing = None
    path = path.absolute()
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing = candidate
    return missing


def _remove_made(folder: Path, made: Path | None) -> None:
    """Remove the empty directories from `folder` up to `made`, which this module made."""
    if made is None:
        return
    for candidate in (folder, *folder.parents):
        try:
            candidate.rmdir()
        except OSError:
            return
        if candidate == made:
            return
