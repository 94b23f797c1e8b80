"""Consulent portal: accounts, audit log, notes and the portal's state of a handoff.

Revision ID: 0004_portal
Revises: 0003_contact_vault
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_portal"
down_revision: Union[str, Sequence[str], None] = "0003_contact_vault"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "portal_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("gemeenten", sa.Text(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("session_nonce", sa.String(length=64), nullable=False),
        sa.Column("api_token_hash", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "portal_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("reference_code", sa.String(length=12), nullable=True),
        sa.Column("gemeente_code", sa.String(length=10), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_audit") as batch:
        batch.create_index("ix_portal_audit_gemeente_at", ["gemeente_code", "at"])
    op.create_table(
        "handoff_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoff_note") as batch:
        batch.create_index("ix_handoff_note_handoff_id", ["handoff_id"])
    op.create_table(
        "handoff_work",
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("assigned_to", sa.String(length=100), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.Column("contact_method", sa.String(length=30), nullable=True),
        sa.Column("contact_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("outcome_detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handoff_id"),
    )
    with op.batch_alter_table("handoff_work") as batch:
        batch.create_index("ix_handoff_work_assigned_to", ["assigned_to"])


def downgrade() -> None:
    op.drop_table("handoff_work")
    op.drop_table("handoff_note")
    op.drop_table("portal_audit")
    op.drop_table("portal_user")
