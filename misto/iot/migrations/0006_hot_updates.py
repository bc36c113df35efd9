"""PostgreSQL: room on every page of the tables the ingest path rewrites in place.

The latest state (one row per device and quantity) and the rule states (one per rule and
device) are updated by every batch. With full pages each update writes a new row version
elsewhere and a new entry in every index; with free room on the page it is a heap-only
update (HOT) that touches no index, and the page's dead versions are pruned in place. A
batch rewrites every row of a page at once, so a page keeps room for more than a second
copy of its rows (fill factor 30).
"""

from typing import Any

from django.db import migrations

TABLES = ("iot_latest", "iot_rulestate")


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 30)")


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("iot", "0005_merge_unknown_fields_and_names"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
