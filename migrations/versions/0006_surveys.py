"""survey tables: CSAT and NPS surveys with their answers, and low-score staff follow-ups

Revision ID: 0006
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = ("0002",)  # surveys.ticket_id references the tickets table

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = bot.storage.models.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", _ID, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("skip_reason", sa.String(length=32), nullable=True),
        sa.Column("client_id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("ticket_id", _ID, nullable=True),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("conversation_id", _ID, nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("asked_at", _AT, nullable=True),
        sa.Column("reminded_at", _AT, nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answered_at", _AT, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_surveys_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_surveys_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_surveys_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_surveys_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_surveys_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("key", name=op.f("uq_surveys_key")),
    )
    for column in ("client_id", "contact_id", "project_id", "state", "ticket_id"):
        op.create_index(op.f(f"ix_surveys_{column}"), "surveys", [column], unique=False)
    op.create_table(
        "survey_followups",
        sa.Column("id", _ID, nullable=False),
        sa.Column("survey_id", _ID, nullable=False),
        sa.Column("client_id", _ID, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("done_at", _AT, nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_survey_followups_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_followups_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_followups")),
        sa.UniqueConstraint("survey_id", name=op.f("uq_survey_followups_survey_id")),
    )
    for column in ("client_id", "state"):
        op.create_index(
            op.f(f"ix_survey_followups_{column}"), "survey_followups", [column], unique=False
        )


def downgrade() -> None:
    op.drop_table("survey_followups")
    op.drop_table("surveys")
