"""Insight (#20, part 3 and the national overview): unmet needs of the social map per Dutch calendar month, and the
flag for the accounts a beheerder lets see every gemeente's counts.

An existing row (one per theme and gemeente, all months together) becomes the row of the month of its last_seen:
its months were never kept, so that is the one month it can honestly be put in. Downgrading adds the months up again.

Revision ID: 0010_insight_gaps
Revises: 0009_insight
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010_insight_gaps"
down_revision: Union[str, Sequence[str], None] = "0009_insight"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

unmet = sa.table(
    "unmet_need",
    sa.column("id", sa.Integer),
    sa.column("theme", sa.String),
    sa.column("gemeente_code", sa.String),
    sa.column("month", sa.Date),
    sa.column("count", sa.Integer),
    sa.column("first_seen", sa.Date),
    sa.column("last_seen", sa.Date),
)


def upgrade() -> None:
    # batch_alter_table: SQLite cannot change a constraint in place, so the table is copied there.
    with op.batch_alter_table("unmet_need") as batch:
        batch.add_column(sa.Column("month", sa.Date(), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(unmet.c.id, unmet.c.last_seen)).all():
        connection.execute(unmet.update().where(unmet.c.id == row.id).values(month=row.last_seen.replace(day=1)))
    with op.batch_alter_table("unmet_need") as batch:
        batch.alter_column("month", existing_type=sa.Date(), nullable=False)
        batch.drop_constraint("uq_unmet_need_theme_gemeente", type_="unique")
        batch.create_unique_constraint("uq_unmet_need_theme_gemeente_month", ["theme", "gemeente_code", "month"])
        batch.create_index("ix_unmet_need_gemeente_month", ["gemeente_code", "month"])
    with op.batch_alter_table("portal_user") as batch:
        batch.add_column(sa.Column("national_insight", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("portal_user") as batch:
        batch.drop_column("national_insight")
    connection = op.get_bind()
    # One row per theme and gemeente again: the first month's row takes the sum, the others go.
    pairs = connection.execute(sa.select(unmet.c.theme, unmet.c.gemeente_code).distinct()).all()
    for theme, code in pairs:
        rows = connection.execute(
            sa.select(unmet).where(unmet.c.theme == theme, unmet.c.gemeente_code == code).order_by(unmet.c.month)
        ).all()
        keep, rest = rows[0], rows[1:]
        if rest:
            connection.execute(
                unmet.update()
                .where(unmet.c.id == keep.id)
                .values(
                    count=sum(r.count for r in rows),
                    first_seen=min(r.first_seen for r in rows),
                    last_seen=max(r.last_seen for r in rows),
                )
            )
            connection.execute(unmet.delete().where(unmet.c.id.in_([r.id for r in rest])))
    with op.batch_alter_table("unmet_need") as batch:
        batch.drop_index("ix_unmet_need_gemeente_month")
        batch.drop_constraint("uq_unmet_need_theme_gemeente_month", type_="unique")
        batch.create_unique_constraint("uq_unmet_need_theme_gemeente", ["theme", "gemeente_code"])
        batch.drop_column("month")
