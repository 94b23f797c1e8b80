"""Questions the assistant could not answer (#20, part 2), anonymised, with an editor's decision, and the key of
the conversation hashes that let "wis mijn gesprek" delete them.

Revision ID: 0011_unanswered
Revises: 0010_insight_gaps
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011_unanswered"
down_revision: Union[str, Sequence[str], None] = "0010_insight_gaps"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("gemeente_code", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("guessed_topic", sa.String(length=60), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decision_topic", sa.String(length=60), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unanswered_question_conversation_key", "unanswered_question", ["conversation_key"])
    op.create_index("ix_unanswered_gemeente_day", "unanswered_question", ["gemeente_code", "day"])
    op.create_table(
        "insight_key",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("insight_key")
    op.drop_index("ix_unanswered_gemeente_day", table_name="unanswered_question")
    op.drop_index("ix_unanswered_question_conversation_key", table_name="unanswered_question")
    op.drop_table("unanswered_question")
