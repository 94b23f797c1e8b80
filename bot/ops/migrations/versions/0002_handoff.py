"""Handoff: the tables of bot/handoff/models.py (handoff, status history, outbox, purge counts).

Revision ID: 0002_handoff
Revises: 0001_socialmap
Create Date: 2026-11-24 08:01:51.623147

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# bot/ops/migrations/env.py imports each area's models so that autogenerate and schema comparisons see every table;
# until it imports this area's models too, loading this revision does it, so Base.metadata matches the database.
import bot.handoff.models  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0002_handoff"
down_revision: Union[str, Sequence[str], None] = "0001_socialmap"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference_code", sa.String(length=12), nullable=False),
        sa.Column("gemeente_code", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consent_at", sa.DateTime(), nullable=False),
        sa.Column("contact_channel", sa.String(length=30), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("preferred_time", sa.String(length=20), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("intents", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("retention_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference_code"),
    )
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.create_index("ix_handoff_portal", ["gemeente_code", "status", "created_at"], unique=False)
        batch_op.create_index("ix_handoff_retention", ["status", "retention_until"], unique=False)

    op.create_table(
        "handoff_purge_count",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente_code", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gemeente_code", "month", name="uq_handoff_purge_count"),
    )
    op.create_table(
        "handoff_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoff_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_handoff_outbox_due", ["delivered_at", "flagged", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_outbox_handoff_id"), ["handoff_id"], unique=False)

    op.create_table(
        "handoff_status_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoff_status_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_status_change_handoff_id"), ["handoff_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("handoff_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_status_change_handoff_id"))

    op.drop_table("handoff_status_change")
    with op.batch_alter_table("handoff_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_outbox_handoff_id"))
        batch_op.drop_index("ix_handoff_outbox_due")

    op.drop_table("handoff_outbox")
    op.drop_table("handoff_purge_count")
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.drop_index("ix_handoff_retention")
        batch_op.drop_index("ix_handoff_portal")

    op.drop_table("handoff")
