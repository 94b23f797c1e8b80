"""Insight for the gemeente (#20): counts per day, gemeente, kind and topic, and how far the conversation store has
been folded into them.

Revision ID: 0009_insight
Revises: 0008_gemeenten_2026
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009_insight"
down_revision: Union[str, Sequence[str], None] = "0008_gemeenten_2026"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "insight_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("gemeente_code", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "gemeente_code", "kind", "topic"),
    )
    op.create_index("ix_insight_count_gemeente_day", "insight_count", ["gemeente_code", "day"])
    op.create_table(
        "insight_fold",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("insight_fold")
    op.drop_index("ix_insight_count_gemeente_day", table_name="insight_count")
    op.drop_table("insight_count")
