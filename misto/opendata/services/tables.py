"""Typed rows: each value checked against its column's Frictionless type, and the files
(CSV with one header row, JSON, GeoJSON) written from the typed rows.

The type is declared, never guessed (CKAN's loaders guess from the first rows and fail a
whole load on one odd value); a value that does not fit its type fails the regeneration of
that dataset only, and the previous version stays published.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from misto.core.registry import Column, OpenTable

TYPES = ("string", "integer", "number", "boolean", "date", "datetime")


class BadValue(ValueError):
    """A producer returned a value that does not fit its column's declared type."""


def typed(column: Column, value: Any) -> Any:
    """``value`` as the JSON value of ``column``'s type (None stays None)."""
    if value is None or (value == "" and column.type != "string"):
        return None
    kind = column.type
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "number" and isinstance(value, int | float | Decimal) \
            and not isinstance(value, bool):
        return float(value)
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "datetime" and isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    raise BadValue(f"{column.name}: {value!r} is not a {kind}")


def table_schema(table: OpenTable) -> dict[str, Any]:
    """The Frictionless Table Schema of ``table`` (titles in both languages, units)."""
    fields = []
    for column in table.columns:
        field: dict[str, Any] = {"name": column.name, "type": column.type}
        if column.title:
            field["title"] = column.title
        if column.title_en:
            field["description"] = column.title_en
        if column.unit:
            field["unit"] = column.unit
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def typed_rows(table: OpenTable) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
    """The producer's rows, typed, and their geometries (None for a table without)."""
    for column in table.columns:
        if column.type not in TYPES:
            raise BadValue(f"{table.name}.{column.name}: unknown type {column.type!r}")
    rows, geometries = [], []
    for raw in table.produce():
        rows.append({column.name: typed(column, raw.get(column.name))
                     for column in table.columns})
        geometries.append(raw.get("geometry") if table.geometry else None)
    return rows, geometries


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_csv(table: OpenTable, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column.name for column in table.columns])
    for row in rows:
        writer.writerow([_csv_value(row[column.name]) for column in table.columns])
    return out.getvalue()


def as_json(rows: list[dict[str, Any]]) -> str:
    """The rows as a JSON array, one row a line (compact: the C encoder writes it)."""
    return "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]"


def as_geojson(rows: list[dict[str, Any]], geometries: list[dict[str, Any] | None]) -> str:
    features = [{"type": "Feature", "geometry": geometry, "properties": row}
                for row, geometry in zip(rows, geometries, strict=True)]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False)


def checksum(content: str | bytes) -> str:
    return hashlib.sha256(content if isinstance(content, bytes)
                          else content.encode("utf-8")).hexdigest()


# Tables of at least this many rows are also published as Parquet (typed, columnar,
# compressed: what analysts load big tables from); smaller ones gain nothing from it.
PARQUET_MIN_ROWS = 1000


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # an optional speed-up of analysts' work, never a failure
        return False
    return True


def as_parquet(table: OpenTable, rows: list[dict[str, Any]]) -> bytes:
    """The typed rows as Parquet: each column in its Arrow type (dates as dates, times as
    UTC timestamps), titles and units in the fields' metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
                   "boolean": pa.bool_(), "date": pa.date32(),
                   "datetime": pa.timestamp("ms", tz="UTC")}
    fields, columns = [], []
    for column in table.columns:
        values = [row[column.name] for row in rows]
        if column.type == "date":
            values = [date.fromisoformat(value) if value else None for value in values]
        elif column.type == "datetime":
            values = [datetime.fromisoformat(value) if value else None for value in values]
        metadata = {key: value for key, value in (("title", column.title),
                                                  ("description", column.title_en),
                                                  ("unit", column.unit)) if value}
        fields.append(pa.field(column.name, arrow_types[column.type],
                               metadata=metadata or None))
        columns.append(pa.array(values, type=arrow_types[column.type]))
    out = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(columns, schema=pa.schema(fields)), out,
                   compression="zstd")
    return out.getvalue()
