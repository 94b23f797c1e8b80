"""Portal: failed sign-ins counted per user name and source address, so that a stranger who types wrong passwords
locks only their own address out, not the person whose name they used.

Revision ID: 0006_sign_in_failures
Revises: 0005_portal_settings
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_sign_in_failures"
down_revision: Union[str, Sequence[str], None] = "0005_portal_settings"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "portal_sign_in_failure",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "source"),
    )
    op.create_index("ix_portal_sign_in_failure_updated_at", "portal_sign_in_failure", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_portal_sign_in_failure_updated_at", table_name="portal_sign_in_failure")
    op.drop_table("portal_sign_in_failure")
