"""Gemeenten of 2026: stored codes of gemeenten that no longer exist become today's codes, and the old region codes
AR01–AR35 (2015 Besluit) become the CBS codes of 2026 (AMxx). Nothing is deleted.

Revision ID: 0008_gemeenten_2026
Revises: 0007_hsds_complete

The mappings are written out here, so this migration does the same whatever knowledge/regions holds later
(source: knowledge/regions/merges-2021-2026.csv and arbeidsmarktregios-2026.csv, `besluit_2015_nummer`).

- social map: a service area of an old gemeente serves today's gemeente; one of Haaren (split in 2021) serves all
  four parts (one row each); a region area gets its AMxx code.
- handoffs, unmet needs, purge counts, portal settings and the audit log: the old code becomes today's code. Where
  today's gemeente already has a row for the same theme or month, the counts are added up; where it already has
  its own portal settings, those stay and the old row is kept as it was.
- Haaren: only the person knows which part they live in, so rows that name Haaren keep its code; a portal account
  for Haaren keeps it (and its handoffs) and gets the four parts as well.

Downgrade: region codes go back to ARxx; gemeente codes stay (a merged gemeente cannot be split up again).
"""

from typing import Dict, Sequence, Tuple, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008_gemeenten_2026"
down_revision: Union[str, Sequence[str], None] = "0007_hsds_complete"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Old CBS code → today's code(s), 1 January 2021 – 1 January 2026.
GEMEENTEN: Dict[str, Tuple[str, ...]] = {
    "GM0003": ("GM1979",),
    "GM0010": ("GM1979",),
    "GM0024": ("GM1979",),  # Appingedam, Delfzijl, Loppersum
    "GM0370": ("GM0439",),  # Beemster → Purmerend
    "GM0398": ("GM1980",),
    "GM0416": ("GM1980",),  # Heerhugowaard, Langedijk → Dijk en Waard
    "GM0457": ("GM0363",),  # Weesp → Amsterdam
    "GM0501": ("GM1992",),
    "GM0530": ("GM1992",),
    "GM0614": ("GM1992",),  # → Voorne aan Zee
    "GM0756": ("GM1982",),
    "GM0786": ("GM1982",),
    "GM0815": ("GM1982",),
    "GM1684": ("GM1982",),
    "GM1702": ("GM1982",),  # Boxmeer, Grave, Mill en Sint Hubert, Cuijk, Sint Anthonis → Land van Cuijk
    "GM0856": ("GM1991",),
    "GM1685": ("GM1991",),  # Uden, Landerd → Maashorst
    "GM0788": ("GM0757", "GM0824", "GM0855", "GM0865"),  # Haaren → Boxtel, Oisterwijk, Tilburg, Vught
}
# 2015 Besluit region number (ARxx, this project's codes before 2026) → CBS code of 2026.
REGIOS: Dict[str, str] = {
    "AR01": "AM01",
    "AR02": "AM02",
    "AR03": "AM15",
    "AR04": "AM03",
    "AR05": "AM36",
    "AR06": "AM11",
    "AR07": "AM17",
    "AR08": "AM37",
    "AR09": "AM05",
    "AR10": "AM18",
    "AR11": "AM06",
    "AR12": "AM12",
    "AR13": "AM19",
    "AR14": "AM13",
    "AR15": "AM14",
    "AR16": "AM38",
    "AR17": "AM09",
    "AR18": "AM34",
    "AR19": "AM20",
    "AR20": "AM21",
    "AR21": "AM07",
    "AR22": "AM22",
    "AR23": "AM10",
    "AR24": "AM35",
    "AR25": "AM08",
    "AR26": "AM23",
    "AR27": "AM27",
    "AR28": "AM25",
    "AR29": "AM24",
    "AR30": "AM26",
    "AR31": "AM29",
    "AR32": "AM32",
    "AR33": "AM28",
    "AR34": "AM33",
    "AR35": "AM30",
}
ONE = {old: new[0] for old, new in GEMEENTEN.items() if len(new) == 1}
SPLIT = {old: new for old, new in GEMEENTEN.items() if len(new) > 1}
ID_LENGTH = 100

service_area = sa.table(
    "service_area", sa.column("id", sa.String), sa.column("scope", sa.String), sa.column("code", sa.String)
)
handoff = sa.table("handoff", sa.column("gemeente_code", sa.String))
audit = sa.table("portal_audit", sa.column("gemeente_code", sa.String))
portal_user = sa.table("portal_user", sa.column("id", sa.Integer), sa.column("gemeenten", sa.Text))
override = sa.table("handoff_settings_override", sa.column("gemeente_code", sa.String))
unmet = sa.table(
    "unmet_need",
    sa.column("id", sa.Integer),
    sa.column("theme", sa.String),
    sa.column("gemeente_code", sa.String),
    sa.column("count", sa.Integer),
    sa.column("first_seen", sa.Date),
    sa.column("last_seen", sa.Date),
)
purged = sa.table(
    "handoff_purge_count",
    sa.column("id", sa.Integer),
    sa.column("gemeente_code", sa.String),
    sa.column("month", sa.String),
    sa.column("count", sa.Integer),
)


def _service_areas(connection: sa.engine.Connection) -> None:
    for old, new in REGIOS.items():
        connection.execute(
            service_area.update()
            .where(service_area.c.scope == "arbeidsmarktregio", service_area.c.code == old)
            .values(code=new)
        )
    for old, new in ONE.items():
        connection.execute(
            service_area.update().where(service_area.c.scope == "gemeente", service_area.c.code == old).values(code=new)
        )
    # A split gemeente: the row serves the first part, a copy of it (new id) each further part.
    columns = [c["name"] for c in sa.inspect(connection).get_columns("service_area")]
    full = sa.table("service_area", *(sa.column(name) for name in columns))
    for old, parts in SPLIT.items():
        rows = connection.execute(sa.select(full).where(full.c.scope == "gemeente", full.c.code == old)).mappings()
        for row in list(rows):
            for part in parts[1:]:
                connection.execute(full.insert().values({**row, "id": f"{row['id']}-{part}"[:ID_LENGTH], "code": part}))
            connection.execute(full.update().where(full.c.id == row["id"]).values(code=parts[0]))


def _merge_counts(connection: sa.engine.Connection, table: sa.Table, key: str) -> None:
    """Move counted rows (unmet needs per theme, purge counts per month) to today's code, adding up on a clash."""
    for old, new in ONE.items():
        rows = connection.execute(sa.select(table).where(table.c.gemeente_code == old)).mappings().all()
        for row in rows:
            same = (
                connection.execute(sa.select(table).where(table.c.gemeente_code == new, table.c[key] == row[key]))
                .mappings()
                .first()
            )
            if same is None:
                connection.execute(table.update().where(table.c.id == row["id"]).values(gemeente_code=new))
                continue
            values = {"count": same["count"] + row["count"]}
            if "first_seen" in row:
                values.update(
                    first_seen=min(same["first_seen"], row["first_seen"]),
                    last_seen=max(same["last_seen"], row["last_seen"]),
                )
            connection.execute(table.update().where(table.c.id == same["id"]).values(values))
            connection.execute(table.delete().where(table.c.id == row["id"]))


def _portal_users(connection: sa.engine.Connection) -> None:
    for user in connection.execute(sa.select(portal_user)).mappings().all():
        codes = [c for c in (user["gemeenten"] or "").split(",") if c]
        changed = []
        for code in codes:
            if code in ONE:
                changed.append(ONE[code])
            elif code in SPLIT:  # keeps Haaren's own handoffs in view, and adds the four parts
                changed.extend([code, *SPLIT[code]])
            else:
                changed.append(code)
        changed = list(dict.fromkeys(changed))
        if changed != codes:
            connection.execute(
                portal_user.update().where(portal_user.c.id == user["id"]).values(gemeenten=",".join(changed))
            )


def upgrade() -> None:
    connection = op.get_bind()
    _service_areas(connection)
    for table in (handoff, audit):
        for old, new in ONE.items():
            connection.execute(table.update().where(table.c.gemeente_code == old).values(gemeente_code=new))
    for old, new in ONE.items():
        taken = connection.execute(sa.select(override.c.gemeente_code).where(override.c.gemeente_code == new)).first()
        if taken is None:
            connection.execute(override.update().where(override.c.gemeente_code == old).values(gemeente_code=new))
    _merge_counts(connection, unmet, "theme")
    _merge_counts(connection, purged, "month")
    _portal_users(connection)


def downgrade() -> None:
    connection = op.get_bind()
    for old, new in REGIOS.items():
        connection.execute(
            service_area.update()
            .where(service_area.c.scope == "arbeidsmarktregio", service_area.c.code == new)
            .values(code=old)
        )
