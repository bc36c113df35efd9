"""Encrypt the reporters' contacts stored in plain text before 0002 (in place, by SQL:
the historical model would try to decrypt the plain values it reads)."""

from typing import Any

from cryptography.fernet import InvalidToken
from django.db import migrations

from misto.core import crypto

COLUMNS = ("name", "phone", "email")


def _is_token(value: str) -> bool:
    try:
        crypto.fernet().decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def _rewrite(schema_editor: Any, change: Any) -> None:
    connection = schema_editor.connection
    table = connection.ops.quote_name("reports_contact")
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {columns} FROM {table}")  # noqa: S608 (fixed names)
        rows = cursor.fetchall()
        assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in COLUMNS)
        for pk, *values in rows:
            new = [change(value) if value else value for value in values]
            if new != values:
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                               [*new, pk])


def encrypt_plain(apps: Any, schema_editor: Any) -> None:
    _rewrite(schema_editor, lambda value: value if _is_token(value) else crypto.encrypt(value))


def decrypt_tokens(apps: Any, schema_editor: Any) -> None:
    _rewrite(schema_editor, lambda value: crypto.decrypt(value) if _is_token(value) else value)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_submission_keys_and_encrypted_contacts"),
    ]

    operations = [migrations.RunPython(encrypt_plain, decrypt_tokens)]
