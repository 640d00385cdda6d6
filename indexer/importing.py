"""`aftercare kb import`: documents copied into the knowledge base after they were read
without an error; a file whose content is already there is left alone (content hash), and a
failed index build puts back what the import changed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from bot.core.errors import KnowledgeBaseError, os_reason
from bot.knowledge.index_files import KB_SUFFIXES, content_hash
from indexer.content import Unit, read_unit

DEFAULT_CATEGORY = "imported"
T = TypeVar("T")


@dataclass(frozen=True)
class Imported:
    source: Path
    name: str  # its path inside the knowledge base
    status: Literal["new", "updated", "unchanged"]
    sections: int
    pages: int


@dataclass
class ImportReport:
    done: list[Imported] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line each, naming the file
    skipped: list[Path] = field(default_factory=list)  # files of other types inside folders

    @property
    def changed(self) -> bool:
        return any(item.status != "unchanged" for item in self.done)


def import_documents(
    paths: list[Path],
    kb_dir: Path,
    category: str | None,
    then: Callable[[], T],
) -> tuple[ImportReport, T | None]:
    """Copy the readable files of `paths` (files, or folders searched recursively) into
    `kb_dir/<category>/`, then call `then` (the index build) when anything changed. A folder
    keeps its inner layout under `<category or the folder's name>/`. If `then` raises, every
    file written is put back as it was and the error passes on."""
    report = ImportReport()
    planned: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            base = category or path.resolve().name
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.suffix.lower() in KB_SUFFIXES and not file.name.startswith((".", "~$")):
                    planned.append((file, f"{base}/{file.relative_to(path).as_posix()}"))
                else:
                    report.skipped.append(file)
        elif path.is_file():
            planned.append((path, f"{category or DEFAULT_CATEGORY}/{path.name}"))
        else:
            report.failed.append(f"{path}: no such file or folder")
    undo: list[tuple[Path, bytes | None]] = []
    try:
        for source, name in planned:
            try:
                unit = read_unit(source, name, category)
                report.done.append(_place(source, name, unit, kb_dir, undo))
            except KnowledgeBaseError as exc:
                report.failed.append(str(exc))
        result = then() if report.changed else None
    except BaseException:
        _put_back(undo)
        raise
    return report, result


def _place(
    source: Path, name: str, unit: Unit, kb_dir: Path, undo: list[tuple[Path, bytes | None]]
) -> Imported:
    article = unit.articles[0]
    pages = max((s.page for s in article.sections if s.page), default=0)  # where the last starts
    target = kb_dir / name
    try:
        before = target.read_bytes() if target.is_file() else None
        if before is not None and content_hash(before) == unit.hash:
            return Imported(source, name, "unchanged", len(article.sections), pages)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, partial)
        os.replace(partial, target)  # whole or not at all
    except OSError as exc:
        raise KnowledgeBaseError(f"{source}: cannot copy to {target}: {os_reason(exc)}") from None
    undo.append((target, before))
    status: Literal["new", "updated"] = "new" if before is None else "updated"
    return Imported(source, name, status, len(article.sections), pages)


def _put_back(undo: list[tuple[Path, bytes | None]]) -> None:
    for target, before in reversed(undo):
        try:
            if before is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(before)
        except OSError:
            continue  # best effort: the error that made us undo is the one to report
