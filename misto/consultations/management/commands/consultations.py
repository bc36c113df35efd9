"""``misto consultations recount <poll>``: every answer's votes from the public ledger against
the counts shown, one line per answer, exit 1 on any difference (docs/consultations.md)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.consultations import services
from misto.consultations.errors import ConsultationsError
from misto.consultations.models import Poll


class Command(BaseCommand):
    help = "Polls: recount a poll from the public ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        recount = actions.add_parser("recount", help="Recount a poll from the ledger; exit 1 "
                                                     "on a difference.")
        recount.add_argument("poll", help="the poll's number (e.g. 3)")

    def handle(self, *args: Any, **options: Any) -> None:
        text = str(options["poll"])
        if not text.isdigit() or len(text) > 18:
            raise CommandError(f"poll {text!r}: a poll is named by its number")
        try:
            found = services.access(Poll, None, int(text))
        except ConsultationsError as error:
            raise CommandError(f"poll {text}: {error.message}") from None
        result = services.recount(found)
        for line in result.report("answer", "answer not on the poll"):
            self.stdout.write(line)
        if not result.agrees:
            self.stderr.write("the ledger and the counts shown differ")
            sys.exit(1)
