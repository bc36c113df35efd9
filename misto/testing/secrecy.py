"""Secret-ballot tests' common half (budget, polls): every row of every table by plain SQL,
and the tables that hold a ballot's secrets, checked to name no voter and no actor."""

from __future__ import annotations

from typing import Any

from django.db import connection

SYSTEM_TABLES = ("sqlite_", "spatial_ref_sys", "geometry_columns", "spatialite",
                 "sql_statements_log", "views_", "virts_", "SpatialIndex",
                 "ElementaryGeometries", "KNN", "data_licenses")


def every_row() -> dict[str, list[tuple[list[str], tuple[Any, ...]]]]:
    """Every row of every table, with its column names, by plain SQL."""
    found: dict[str, list[tuple[list[str], tuple[Any, ...]]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith(SYSTEM_TABLES):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # names from the catalogue
            columns = [c[0] for c in cursor.description]
            found[table] = [(columns, row) for row in cursor.fetchall()]
    return found


def tables_holding(secrets: set[str], markers: set[str]) -> set[str]:
    """The tables whose rows contain any of ``secrets`` (tokens, receipts); each such row is
    checked to contain none of ``markers`` (the voters' ids and names) and no ledger actor."""
    rows = every_row()
    holding = {table for table, table_rows in rows.items()
               for _columns, row in table_rows
               if any(secret in str(value) for value in row for secret in secrets)}
    for table in holding:
        for columns, row in rows[table]:
            text = " ".join(map(str, row))
            if not any(secret in text for secret in secrets):
                continue
            assert not any(marker in text for marker in markers), table
            record = dict(zip(columns, row, strict=True))
            assert record.get("actor_ref") in (None, ""), "a ballot's ledger entry names no actor"
    return holding
