"""Ticket tables: tickets numbered per client, their append-only event log, and the counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


class TicketCounter(Base):
    """The last ticket number issued per client; bumped atomically to number the next one."""

    __tablename__ = "ticket_counters"
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    last_number: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """One maintenance ticket (ACME-42) with its SLA due and warning times, in UTC."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("client_id", "number"),
        # Ticket lists (the API's, the console's): newest first, all or by status or client.
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index("ix_tickets_status_created_at_id", "status", "created_at", "id"),
        Index("ix_tickets_client_id_created_at_id", "client_id", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    reporter_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(32), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_response_due: Mapped[datetime]
    first_response_warn_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolution_due: Mapped[datetime]
    resolution_warn_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class TicketEvent(Base):
    """Who changed what on a ticket, and when; rows are only ever added."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]
