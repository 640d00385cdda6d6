"""intake: inbound events recorded before the ack; outbox leases; messages know their event

Revision ID: 0011
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = bot.storage.models.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbound_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("chat_key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("available_at", _AT, nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", _AT, nullable=True),
        sa.Column("received_at", _AT, nullable=False),
        sa.Column("finished_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
        sa.UniqueConstraint("key", name=op.f("uq_inbound_events_key")),
    )
    unfinished = sa.text("state IN ('pending', 'processing')")
    op.create_index(
        "ix_inbound_events_unfinished",
        "inbound_events",
        ["id"],
        postgresql_where=unfinished,
        sqlite_where=unfinished,
    )
    op.create_index(
        "ix_inbound_events_chat_unfinished",
        "inbound_events",
        ["chat_key", "id"],
        postgresql_where=unfinished,
        sqlite_where=unfinished,
    )
    op.create_index("ix_inbound_events_finished_at", "inbound_events", ["finished_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("locked_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("locked_until", _AT, nullable=True))
    unsent = sa.text("state IN ('pending', 'sending')")
    op.create_index(
        "ix_outbox_unsent_due",
        "outbox",
        ["available_at", "id"],
        postgresql_where=unsent,
        sqlite_where=unsent,
    )
    op.create_index(
        "ix_outbox_unsent_chat",
        "outbox",
        ["chat_id", "id"],
        postgresql_where=unsent,
        sqlite_where=unsent,
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("inbound_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("inbound_id")
    op.drop_index("ix_outbox_unsent_chat", table_name="outbox")
    op.drop_index("ix_outbox_unsent_due", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("locked_by")
    op.drop_index("ix_inbound_events_finished_at", table_name="inbound_events")
    op.drop_index("ix_inbound_events_chat_unfinished", table_name="inbound_events")
    op.drop_index("ix_inbound_events_unfinished", table_name="inbound_events")
    op.drop_table("inbound_events")
