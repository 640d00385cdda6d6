"""Handover tables: a project's acceptance checklist and who ticked and confirmed what."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class HandoverItem(Base):
    """One checklist item of a project (from the template): staff tick it, the client confirms."""

    __tablename__ = "handover_items"
    __table_args__ = (UniqueConstraint("project_id", "key"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    due_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    ticked_at: Mapped[datetime | None]
    ticked_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class HandoverEvent(Base):
    """Who did what to a checklist, and when (created, ticked, unticked, confirmed,
    problem, accepted)."""

    __tablename__ = "handover_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("handover_items.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
