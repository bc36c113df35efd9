"""The category tree's stamp: triggers on its four tables give ``reports_cataloguestamp``
a new random value in every changing statement's transaction (see ``CatalogueStamp``).
PostgreSQL fires once per statement (TRUNCATE included); SQLite once per row."""

from typing import Any

from django.db import migrations, models

TABLES = ("reports_department", "reports_category", "reports_attribute",
          "reports_categoryroute")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION reports_catalogue_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reports_cataloguestamp (id, stamp) VALUES (1, gen_random_uuid()::text)
    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
    RETURN NULL;
END $$
"""
PG_TRIGGER = """
CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION reports_catalogue_changed()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_stamp_{event} AFTER {event} ON {table} BEGIN
    INSERT INTO reports_cataloguestamp (id, stamp) VALUES (1, lower(hex(randomblob(16))))
    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
END
"""
EVENTS = ("insert", "update", "delete")


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(PG_TRIGGER.format(table=table))
    else:
        for table in TABLES:
            for event in EVENTS:
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event))
    schema_editor.execute("INSERT INTO reports_cataloguestamp (id, stamp) VALUES (1, 'initial')")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS reports_catalogue_changed()")
    else:
        for table in TABLES:
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{event}")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_apikey_organisation'),
    ]

    operations = [
        migrations.CreateModel(
            name='CatalogueStamp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stamp', models.CharField(max_length=40)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
