"""The test databases themselves: a schema is dropped even when a session is left hanging on it."""

from __future__ import annotations

import psycopg2

from tests.databases import POSTGRES, drop_schema, postgres_schema


def test_a_schema_is_dropped_although_a_session_left_a_transaction_open_on_it():
    with postgres_schema("ww_drop") as url:
        schema = url.rsplit("%3D", 1)[1]
        hanging = psycopg2.connect(POSTGRES)
        cursor = hanging.cursor()
        cursor.execute(f'CREATE TABLE "{schema}".events (id int)')
        hanging.commit()
        cursor.execute(f'SELECT * FROM "{schema}".events')  # idle in transaction: holds a lock on the table
        drop_schema(schema, lock_wait="1s")  # without ending that session this would wait for ever
        check = psycopg2.connect(POSTGRES)
        with check.cursor() as look:
            look.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,))
            assert look.fetchone()[0] == 0
        check.close()
