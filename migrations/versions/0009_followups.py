"""followup_policies: per-project check-in and warranty-notice days

Revision ID: 0009
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_policies",
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("checkin_days", sa.JSON(), nullable=False),
        sa.Column("warranty_notice_days", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_followup_policies_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_followup_policies")),
    )


def downgrade() -> None:
    op.drop_table("followup_policies")
