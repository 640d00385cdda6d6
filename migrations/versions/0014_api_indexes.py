"""api indexes: tickets by (created_at, id) for the REST API's keyset pages

Revision ID: 0014
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0001"
branch_labels = None
depends_on = ("0002",)  # the tickets table


def upgrade() -> None:
    op.create_index("ix_tickets_created_at_id", "tickets", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_created_at_id", table_name="tickets")
