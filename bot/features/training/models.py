"""Training and announcement tables: sessions per project with who registered, attended and
rated them; notices to clients with each contact's delivery and acknowledgement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
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


class Announcement(Base):
    """A notice to the contacts of one project's client, one client, or every client."""

    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # project | client | all
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # upgrade | security | feature
    text: Mapped[str] = mapped_column(Text)
    send_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))  # scheduled | queued | cancelled
    created_at: Mapped[datetime]


class AnnouncementDelivery(Base):
    """One contact's copy of an announcement; the outbox row (`outbox_key`) says if it was sent."""

    __tablename__ = "announcement_deliveries"
    __table_args__ = (UniqueConstraint("announcement_id", "contact_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    outbox_key: Mapped[str] = mapped_column(String(200))
    queued_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
