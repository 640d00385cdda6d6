"""training and announcements: sessions, attendees, notices and their per-contact deliveries

Revision ID: 0010
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = bot.storage.models.UtcDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "training_sessions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", _AT, nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        _fk("training_sessions", "project_id", "projects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    for column in ("project_id", "state"):
        op.create_index(
            op.f(f"ix_training_sessions_{column}"), "training_sessions", [column], unique=False
        )
    op.create_table(
        "training_attendees",
        sa.Column("id", _ID, nullable=False),
        sa.Column("session_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, nullable=False),
        sa.Column("registered_at", _AT, nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", _AT, nullable=True),
        sa.Column("updated_at", _AT, nullable=False),
        _fk("training_attendees", "contact_id", "contacts"),
        _fk("training_attendees", "session_id", "training_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendees")),
        sa.UniqueConstraint(
            "session_id", "contact_id", name=op.f("uq_training_attendees_session_id_contact_id")
        ),
    )
    for column in ("contact_id", "session_id"):
        op.create_index(
            op.f(f"ix_training_attendees_{column}"), "training_attendees", [column], unique=False
        )
    op.create_table(
        "announcements",
        sa.Column("id", _ID, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("client_id", _ID, nullable=True),
        sa.Column("project_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("send_at", _AT, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        _fk("announcements", "client_id", "clients"),
        _fk("announcements", "project_id", "projects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    for column in ("client_id", "project_id"):
        op.create_index(op.f(f"ix_announcements_{column}"), "announcements", [column], unique=False)
    op.create_table(
        "announcement_deliveries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("announcement_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, nullable=False),
        sa.Column("client_id", _ID, nullable=False),
        sa.Column("outbox_key", sa.String(length=200), nullable=False),
        sa.Column("queued_at", _AT, nullable=False),
        sa.Column("acknowledged_at", _AT, nullable=True),
        _fk("announcement_deliveries", "announcement_id", "announcements"),
        _fk("announcement_deliveries", "client_id", "clients"),
        _fk("announcement_deliveries", "contact_id", "contacts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_deliveries")),
        sa.UniqueConstraint(
            "announcement_id",
            "contact_id",
            name=op.f("uq_announcement_deliveries_announcement_id_contact_id"),
        ),
    )
    for column in ("announcement_id", "contact_id"):
        op.create_index(
            op.f(f"ix_announcement_deliveries_{column}"),
            "announcement_deliveries",
            [column],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("announcement_deliveries")
    op.drop_table("announcements")
    op.drop_table("training_attendees")
    op.drop_table("training_sessions")
