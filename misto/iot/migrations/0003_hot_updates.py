"""Leave room in the pages of the latest-state and rule-state tables (PostgreSQL).

Both are updated in place on every batch and none of the updated columns is indexed, so
with free space on the page PostgreSQL makes these heap-only (HOT) updates: no index writes.
"""

from typing import Any

from django.db import migrations

TABLES = ("iot_latest", "iot_rulestate")


def _fillfactor(value: int) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [("iot", "0002_readings_table")]

    operations = [migrations.RunPython(_fillfactor(50), _fillfactor(100))]
