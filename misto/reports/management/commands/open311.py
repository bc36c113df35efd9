"""``misto open311 create-key <name>``: a new API key for a third-party Open311 app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.reports import services
from misto.reports.errors import ReportError
from misto.reports.models import ApiKey


class Command(BaseCommand):
    help = "Open311 GeoReport v2: manage the API keys of third-party apps."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create-key", help="Print a new API key (shown once).")
        create.add_argument("name", help="the application the key is for")
        create.add_argument("--organisation", default="",
                            help="the partner's code in the city directory (its page lists "
                                 "the app)")
        actions.add_parser("list-keys", help="List the keys (their first characters).")
        revoke = actions.add_parser("revoke-key", help="Switch a key off.")
        revoke.add_argument("prefix", help="the key's first 8 characters")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create-key":
            try:
                _row, key = services.create_api_key(options["name"],
                                                   options["organisation"])
            except ReportError as error:
                raise CommandError(error.message) from error
            self.stdout.write(key)
        elif action == "list-keys":
            for row in ApiKey.objects.order_by("pk"):
                state = "active" if row.active else "revoked"
                self.stdout.write(f"{row.prefix}…\t{state}\t{row.name}\t{row.organisation}")
        else:
            count = ApiKey.objects.filter(prefix=options["prefix"], active=True).update(
                active=False)
            if not count:
                raise CommandError(f"no active key starts with {options['prefix']!r}")
            self.stdout.write(f"revoked {count} key(s)")
