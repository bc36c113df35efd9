"""``misto residents``: import the register, manage staff roles and TOTP, rotate keys."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from misto.core.crypto import encrypted_fields
from misto.core.models import Role, StaffAssignment
from misto.residents import importers
from misto.residents.auth import enrol_totp


class Command(BaseCommand):
    help = "The residents' register: import, staff roles, TOTP, key rotation."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import people from a CSV or XLSX file.")
        imp.add_argument("file")
        imp.add_argument("--basis", default="", help="The legal basis recorded in history.")
        grant = sub.add_parser("grant", help="Give a user a staff role.")
        grant.add_argument("username")
        grant.add_argument("role", choices=Role.values)
        grant.add_argument("--department", default="")
        grant.add_argument("--district", default="")
        revoke = sub.add_parser("revoke", help="Take every role from a user.")
        revoke.add_argument("username")
        totp = sub.add_parser("totp", help="Give a user a new TOTP secret; prints its URI.")
        totp.add_argument("username")
        sub.add_parser("rotate-keys", help="Re-encrypt personal fields with the first key.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(Path(options["file"]), options["basis"])
        elif action == "grant":
            user = self._user(options["username"])
            StaffAssignment.objects.get_or_create(
                user=user, role=options["role"], department=options["department"],
                district=options["district"])
            self.stdout.write(f"{user.get_username()}: {options['role']}")
        elif action == "revoke":
            count, _kinds = StaffAssignment.objects.filter(user=self._user(options["username"])
                                                      ).delete()
            self.stdout.write(f"{count} role(s) revoked")
        elif action == "totp":
            self.stdout.write(enrol_totp(self._user(options["username"])))
        elif action == "rotate-keys":
            self.stdout.write(f"{rotate_keys()} value(s) re-encrypted")

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def _import(self, path: Path, basis: str) -> None:
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            report = importers.import_people(path, basis=basis)
        except importers.ImportFileError as error:
            raise CommandError(str(error)) from error
        for row_error in report.errors:
            self.stderr.write(str(row_error))
        if not report.ok:
            raise CommandError(_("%(bad)s bad row(s) of %(rows)s; nothing imported.") % {
                "bad": len(report.errors), "rows": report.rows})
        self.stdout.write(_("%(count)s person(s) imported.") % {"count": report.imported})


def rotate_keys() -> int:
    """Re-encrypt every personal field with the current key (after adding a new one): the
    register's and every other module's, since they share the keys."""
    count = 0
    with transaction.atomic():
        for model, fields in encrypted_fields().items():
            rows = model._default_manager
            for pk, *values in rows.values_list("pk", *fields).iterator():
                # values_list decrypts; saving through update() encrypts with the first key.
                rows.filter(pk=pk).update(**dict(zip(fields, values, strict=True)))
                count += sum(1 for value in values if value)
    return count
