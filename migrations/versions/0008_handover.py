"""handover tables: checklist items and their events, client suggestions, risk states

Revision ID: 0008
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = ("0002",)  # handover items and events reference the tickets table

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = bot.storage.models.UtcDateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "risk_states",
        sa.Column("project_id", _ID, autoincrement=False, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("above", sa.Boolean(), nullable=False),
        sa.Column("crossings", sa.Integer(), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        _fk("risk_states", "project_id", "projects", "CASCADE"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_risk_states")),
    )
    op.create_table(
        "suggestions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("client_id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=True),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("conversation_id", _ID, nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        _fk("suggestions", "client_id", "clients", "CASCADE"),
        _fk("suggestions", "contact_id", "contacts", "SET NULL"),
        _fk("suggestions", "conversation_id", "conversations", "SET NULL"),
        _fk("suggestions", "project_id", "projects", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
    )
    for column in ("client_id", "project_id"):
        op.create_index(op.f(f"ix_suggestions_{column}"), "suggestions", [column], unique=False)
    op.create_table(
        "handover_items",
        sa.Column("id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("ticked_at", _AT, nullable=True),
        sa.Column("ticked_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", _AT, nullable=True),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.Column("confirmed_contact_id", _ID, nullable=True),
        sa.Column("ticket_id", _ID, nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        _fk("handover_items", "confirmed_contact_id", "contacts", "SET NULL"),
        _fk("handover_items", "project_id", "projects", "CASCADE"),
        _fk("handover_items", "ticket_id", "tickets", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_items")),
        sa.UniqueConstraint("project_id", "key", name=op.f("uq_handover_items_project_id_key")),
    )
    op.create_index(
        op.f("ix_handover_items_project_id"), "handover_items", ["project_id"], unique=False
    )
    op.create_table(
        "handover_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("ticket_id", _ID, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("handover_events", "contact_id", "contacts", "SET NULL"),
        _fk("handover_events", "item_id", "handover_items", "CASCADE"),
        _fk("handover_events", "project_id", "projects", "CASCADE"),
        _fk("handover_events", "ticket_id", "tickets", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_events")),
    )
    op.create_index(
        op.f("ix_handover_events_project_id"), "handover_events", ["project_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("handover_events")
    op.drop_table("handover_items")
    op.drop_table("suggestions")
    op.drop_table("risk_states")
