"""Contact vault: phone numbers and e-mail addresses held briefly outside the conversation store.

Revision ID: 0003_contact_vault
Revises: 0002_handoff
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_contact_vault"
down_revision: Union[str, Sequence[str], None] = "0002_handoff"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "contact_vault",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_vault") as batch:
        batch.create_index("ix_contact_vault_conversation_hash", ["conversation_hash"])
        batch.create_index("ix_contact_vault_expires_at", ["expires_at"])


def downgrade() -> None:
    op.drop_table("contact_vault")
