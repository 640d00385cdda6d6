"""api indexes: tickets by (created_at, id), and so within a status or a client, for the REST
API's keyset pages

Revision ID: 0014
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0002"  # the tickets table
depends_on = None
branch_labels = None


def upgrade() -> None:
    op.create_index("ix_tickets_created_at_id", "tickets", ["created_at", "id"])
    op.create_index("ix_tickets_status_created_at_id", "tickets", ["status", "created_at", "id"])
    op.create_index(
        "ix_tickets_client_id_created_at_id", "tickets", ["client_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_client_id_created_at_id", table_name="tickets")
    op.drop_index("ix_tickets_status_created_at_id", table_name="tickets")
    op.drop_index("ix_tickets_created_at_id", table_name="tickets")
