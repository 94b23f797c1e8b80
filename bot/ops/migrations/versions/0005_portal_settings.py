"""Portal: per-gemeente handoff settings edited by a beheerder, and the last used TOTP step per account.

Revision ID: 0005_portal_settings
Revises: 0004_portal
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_portal_settings"
down_revision: Union[str, Sequence[str], None] = "0004_portal"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "handoff_settings_override",
        sa.Column("gemeente_code", sa.String(length=10), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("webhook_secret", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("gemeente_code"),
    )
    with op.batch_alter_table("portal_user") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_user") as batch:
        batch.drop_column("totp_last_step")
    op.drop_table("handoff_settings_override")
