"""On PostgreSQL, a GIN index (jsonb_path_ops) over the datastore rows: ``datastore_search``'s
filters are containment (``data @> {"column": value}``), answered from the index instead of
reading every row of the resource. SQLite has no such index: its filters read the rows."""

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS opendata_row_data_gin ON opendata_row "
                              "USING gin (data jsonb_path_ops)")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS opendata_row_data_gin")


class Migration(migrations.Migration):

    dependencies = [("opendata", "0002_sql_search")]

    operations = [migrations.RunPython(create, drop)]
