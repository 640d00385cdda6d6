"""Built knowledge-base indexes published by `aftercare index`, read by every answering process."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class KbIndexRow(Base):
    """One built index: its manifest and a tar of its directory (without the embedding cache).

    `sha256` checks the archive after download; `content_sha256` digests what answers come from
    (every file, the manifest without its build time), so an unchanged re-index is not
    published twice.
    """

    __tablename__ = "kb_indexes"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    format_version: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[dict[str, Any]]
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    built_at: Mapped[datetime]
    created_at: Mapped[datetime]
