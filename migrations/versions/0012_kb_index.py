"""kb_indexes: built knowledge-base indexes published for every replica

Revision ID: 0012
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0012"
down_revision = "0001"
branch_labels = None
depends_on = None

_AT = bot.storage.models.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kb_indexes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("built_at", _AT, nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_indexes")),
    )


def downgrade() -> None:
    op.drop_table("kb_indexes")
