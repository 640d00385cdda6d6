"""Built indexes in the database: `aftercare index` publishes each build, every answering process
fetches the newest for its model, so replicas on machines without a shared disk agree."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from bot.core.errors import IndexNotReadyError
from bot.knowledge.index_files import CACHE_DIR, FIX, FORMAT_VERSION, MANIFEST, Manifest
from bot.storage.db import Database
from bot.storage.models_kb import KbIndexRow

KEEP = 3  # published builds kept; older rows are deleted when a new one is published
REACH_SECONDS = 10.0  # how long the one cheap query may take before the database counts as down


@dataclass(frozen=True)
class Newest:
    """The newest published build for a model: what a re-check reads, without the archive."""

    id: int
    sha256: str
    content_sha256: str


@dataclass(frozen=True)
class Published:
    id: int
    size: int
    new: bool  # False: the same content was already the newest published build


def pack(index_dir: Path) -> tuple[bytes, str]:
    """A tar of `index_dir` without its embedding cache, and a digest of its content (every
    file, the manifest without its build time). The tar is reproducible: sorted, no mtimes."""
    buffer = io.BytesIO()
    content = hashlib.sha256()
    files = sorted(
        p
        for p in index_dir.rglob("*")
        if p.is_file() and p.relative_to(index_dir).parts[0] != CACHE_DIR
    )
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in files:
            name = path.relative_to(index_dir).as_posix()
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
            digested = _timeless_manifest(data) if name == MANIFEST else data
            content.update(name.encode() + b"\0" + hashlib.sha256(digested).digest())
    return buffer.getvalue(), content.hexdigest()


def _timeless_manifest(data: bytes) -> bytes:
    manifest = json.loads(data)
    manifest.pop("built_at", None)
    return json.dumps(manifest, sort_keys=True).encode()


async def newest(db: Database, model: str, format_version: int = FORMAT_VERSION) -> Newest | None:
    """The newest build published for `model` in `format_version`: one small query."""
    async with asyncio.timeout(REACH_SECONDS), db.session() as session:
        row = (
            await session.execute(
                select(KbIndexRow.id, KbIndexRow.sha256, KbIndexRow.content_sha256)
                .where(KbIndexRow.model == model, KbIndexRow.format_version == format_version)
                .order_by(KbIndexRow.id.desc())
                .limit(1)
            )
        ).first()
    return Newest(row.id, row.sha256, row.content_sha256) if row is not None else None


async def publish(db: Database, index_dir: Path, *, now: datetime) -> Published:
    """Store the index built in `index_dir` as the newest for its model (unless the newest
    already has the same content) and keep the last KEEP builds."""
    manifest = await asyncio.to_thread(Manifest.read, index_dir)
    archive, content = await asyncio.to_thread(pack, index_dir)
    found = await newest(db, manifest.model, manifest.format_version)
    if found is not None and found.content_sha256 == content:
        return Published(found.id, len(archive), new=False)
    row = KbIndexRow(
        model=manifest.model,
        format_version=manifest.format_version,
        manifest=manifest.to_json(),
        archive=archive,
        sha256=hashlib.sha256(archive).hexdigest(),
        content_sha256=content,
        size=len(archive),
        built_at=datetime.fromisoformat(manifest.built_at),
        created_at=now,
    )
    async with db.session() as session:
        session.add(row)
        await session.flush()
        kept = select(KbIndexRow.id).order_by(KbIndexRow.id.desc()).limit(KEEP)
        await session.execute(delete(KbIndexRow).where(KbIndexRow.id.not_in(kept)))
    return Published(row.id, row.size, new=True)


async def fetch(db: Database, index_id: int) -> bytes | None:
    """The archive of one published build; None when it was deleted meanwhile."""
    async with db.session() as session:
        archive = await session.scalar(select(KbIndexRow.archive).where(KbIndexRow.id == index_id))
    return bytes(archive) if archive is not None else None


def reason(exc: BaseException) -> str:
    """Why the database could not be used, in one line."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {REACH_SECONDS:g}s"
    text = (str(exc.orig if isinstance(exc, DBAPIError) else exc) or type(exc).__name__).strip()
    if "kb_indexes" in text:
        return "the schema is not up to date: run `aftercare db upgrade`"
    return text.splitlines()[0]


def unpack(archive: bytes, sha256: str, target: Path) -> None:
    """Check `archive` against its digest and unpack it into `target` atomically: into a
    temporary directory first, renamed into place. Another process that got there first wins."""
    if hashlib.sha256(archive).hexdigest() != sha256:
        raise IndexNotReadyError(f"the published index for {target.name} is corrupt; {FIX}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise IndexNotReadyError(f"cannot unpack the published index: {exc}") from None
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
            tar.extractall(staging, filter="data")
        staging.rename(target)
    except OSError as exc:
        if not (target / MANIFEST).is_file():
            raise IndexNotReadyError(f"cannot unpack the published index: {exc}") from None
    except tarfile.TarError as exc:
        raise IndexNotReadyError(
            f"the published index for {target.name} is unreadable ({exc}); {FIX}"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
