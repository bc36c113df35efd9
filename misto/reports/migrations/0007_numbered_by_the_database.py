"""A report's public number ("2026-000123": the year received, in UTC, and the row id) is
given by the database in the insert that makes the row: PostgreSQL sets it before the row
is written and the insert returns it (the column has a database default, so Django reads
it back); SQLite sets it right after, in the same statement. Before, the application wrote
it with a second statement. Rows without a number get theirs here."""

from typing import Any

from django.db import migrations, models

PG = """
CREATE OR REPLACE FUNCTION reports_report_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.public_id IS NULL THEN
        NEW.public_id := to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY') || '-'
            || lpad(NEW.id::text, greatest(6, length(NEW.id::text)), '0');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER reports_report_number BEFORE INSERT ON reports_report
FOR EACH ROW EXECUTE FUNCTION reports_report_number();
"""
SQLITE_NUMBER = ("substr({row}.created_at, 1, 4) || '-' || CASE WHEN {row}.id < 1000000 "
                 "THEN substr('00000' || {row}.id, -6) ELSE {row}.id END")
SQLITE = f"""
CREATE TRIGGER reports_report_number AFTER INSERT ON reports_report
WHEN NEW.public_id IS NULL BEGIN
    UPDATE reports_report SET public_id = {SQLITE_NUMBER.format(row="NEW")} WHERE id = NEW.id;
END
"""


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG)
        schema_editor.execute(
            "UPDATE reports_report SET public_id = to_char(created_at AT TIME ZONE 'UTC', "
            "'YYYY') || '-' || lpad(id::text, greatest(6, length(id::text)), '0') "
            "WHERE public_id IS NULL")
    else:
        schema_editor.execute(SQLITE)
        schema_editor.execute(
            f"UPDATE reports_report SET public_id = {SQLITE_NUMBER.format(row='reports_report')} "
            "WHERE public_id IS NULL")


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP TRIGGER IF EXISTS reports_report_number"
                          + (" ON reports_report" if schema_editor.connection.vendor
                             == "postgresql" else ""))


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0006_catalogue_stamp'),
    ]

    operations = [
        # Only Django's idea of the column changes (a NULL default, so that the insert
        # returns the number): the column is already NULL by default, and altering it would
        # make SQLite rebuild the table and lose SpatiaLite's spatial index.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='report',
                name='public_id',
                field=models.CharField(db_default=None, max_length=20, null=True, unique=True, verbose_name='number'),
            ),
        ]),
        migrations.RunPython(create, drop),
    ]
