"""Announcements: one message to many clients, and its delivery to each contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


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
