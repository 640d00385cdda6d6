"""Typed SQLAlchemy models; Alembic migrations in migrations/ create exactly these tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# BigInteger ids on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UtcDateTime()}  # noqa: RUF012


class Client(Base):
    """A client organisation; `code` prefixes its ticket numbers (ACME-42)."""

    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime]


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("client_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    delivered_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    warranty_until: Mapped[date | None] = mapped_column(Date)
    sla_tier: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Contact(Base):
    """A person at a client; `handle` is how staff and the console refer to them."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("client_id", "handle"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    handle: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    lang: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class ChannelIdentity(Base):
    """A contact's account on one channel: (channel, workspace, user) is unique."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class Conversation(Base):
    """One chat (or thread) on one channel; `flow` holds the state of a guided dialogue."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "workspace_id", "chat_id", "thread_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str] = mapped_column(String(128))
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    flow: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Message(Base):
    """Every message in and out. (channel, platform_message_id) is unique: redeliveries fail."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "platform_message_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))  # "in" | "out"
    channel: Mapped[str] = mapped_column(String(32))
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    sender_id: Mapped[str] = mapped_column(String(128))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None]
    state: Mapped[str] = mapped_column(String(16), default="handled")
    # The inbound event (bot/core/intake.py) whose processing recorded this message: a retry of
    # that same event after a crash takes the turn over instead of taking it for a duplicate.
    inbound_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    @property
    def who(self) -> str:
        """The sender as people read it (as IncomingMessage.who)."""
        return self.sender_name or self.sender_id


UNSENT = text("state IN ('pending', 'sending')")


class OutboxItem(Base):
    """A message to push to a conversation, durable before it is sent.

    A deliverer claims one item at a time (`sending` with a lease in `locked_until`) and marks
    it sent right after the platform accepted it, so a crash repeats at most that one item.
    """

    __tablename__ = "outbox"
    # Partial indexes over the messages not sent yet: claims stay cheap however long the
    # table (the log of everything ever sent) grows.
    __table_args__ = (
        Index(
            "ix_outbox_unsent_due",
            "available_at",
            "id",
            postgresql_where=UNSENT,
            sqlite_where=UNSENT,
        ),
        Index(
            "ix_outbox_unsent_chat", "chat_id", "id", postgresql_where=UNSENT, sqlite_where=UNSENT
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)
    workspace_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    reply: Mapped[dict[str, Any]]
    # pending | sending | sent | failed | withdrawn
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    available_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
