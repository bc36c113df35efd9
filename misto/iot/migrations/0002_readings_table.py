"""The readings table, created per database.

PostgreSQL: declaratively partitioned by month on ``ts``, with ``iot_ensure_partitions(from,
to)`` creating the monthly partitions (the hot path and a daily job call it). SQLite: one
``WITHOUT ROWID`` table keyed by (device_id, quantity, ts).
"""

from typing import Any

from django.db import migrations

POSTGRES_UP = [
    """
    CREATE TABLE iot_reading (
        device_id bigint NOT NULL,
        quantity varchar(64) NOT NULL,
        ts timestamptz NOT NULL,
        value double precision NOT NULL,
        PRIMARY KEY (device_id, quantity, ts)
    ) PARTITION BY RANGE (ts)
    """,
    """
    CREATE OR REPLACE FUNCTION iot_ensure_partitions(from_ts timestamptz, to_ts timestamptz)
    RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE
        month date := date_trunc('month', from_ts AT TIME ZONE 'UTC')::date;
        last_month date := date_trunc('month', to_ts AT TIME ZONE 'UTC')::date;
        part text;
        created integer := 0;
    BEGIN
        WHILE month <= last_month LOOP
            part := 'iot_reading_' || to_char(month, 'YYYYMM');
            IF to_regclass(part) IS NULL THEN
                -- one creator at a time: two consumers meeting a new month wait, not fail
                PERFORM pg_advisory_xact_lock(hashtext('iot_ensure_partitions'));
                IF to_regclass(part) IS NULL THEN
                    EXECUTE format(
                        'CREATE TABLE %I PARTITION OF iot_reading FOR VALUES FROM (%L) TO (%L)',
                        part, month::timestamp AT TIME ZONE 'UTC',
                        (month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
                    created := created + 1;
                END IF;
            END IF;
            month := (month + interval '1 month')::date;
        END LOOP;
        RETURN created;
    END
    $$
    """,
    "SELECT iot_ensure_partitions(now() - interval '13 months', now() + interval '3 months')",
]
POSTGRES_DOWN = [
    "DROP TABLE IF EXISTS iot_reading CASCADE",
    "DROP FUNCTION IF EXISTS iot_ensure_partitions(timestamptz, timestamptz)",
]
SQLITE_UP = [
    """
    CREATE TABLE iot_reading (
        device_id integer NOT NULL,
        quantity varchar(64) NOT NULL,
        ts datetime NOT NULL,
        value real NOT NULL,
        PRIMARY KEY (device_id, quantity, ts)
    ) WITHOUT ROWID
    """,
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS iot_reading"]


def _run(statements_pg: list[str], statements_lite: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        postgres = schema_editor.connection.vendor == "postgresql"
        for statement in statements_pg if postgres else statements_lite:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("iot", "0001_initial")]

    operations = [
        migrations.RunPython(_run(POSTGRES_UP, SQLITE_UP), _run(POSTGRES_DOWN, SQLITE_DOWN)),
    ]
