"""Training tables: sessions per project with who registered, attended and rated them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class TrainingSession(Base):
    """One training for one project, on site (`address`) or online (`link`); UTC start."""

    __tablename__ = "training_sessions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # basic | advanced | custom
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(Integer)
    link: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), index=True)  # scheduled | cancelled
    materials: Mapped[dict[str, Any]]  # {"links": ["https://..."]}
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TrainingAttendee(Base):
    """A contact's part in a session: registered (by the contact), attended (staff say), rating."""

    __tablename__ = "training_attendees"
    __table_args__ = (UniqueConstraint("session_id", "contact_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    registered_at: Mapped[datetime | None]
    attended: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
