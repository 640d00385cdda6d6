"""console lists: the inbox (handoffs by state, oldest change first) and a conversation's
tickets (the newest-first ticket indexes are 0014's)

Revision ID: 0015
Revises: 0007, 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = ("0007", "0014")  # the handoffs table; the tickets indexes
depends_on = None
branch_labels = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index("ix_handoffs_state_updated", ["state", "updated_at"], unique=False)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tickets_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_conversation_id"))
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index("ix_handoffs_state_updated")
