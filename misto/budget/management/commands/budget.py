"""``misto budget recount <round>``: every project's votes from the public ledger against the
counts shown, one line per project, exit 1 on any difference (docs/budget.md)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.budget import services
from misto.budget.errors import BudgetError


class Command(BaseCommand):
    help = "Participatory budget: recount a round from the public ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        recount = actions.add_parser("recount", help="Recount a round from the ledger; exit 1 "
                                                     "on a difference.")
        recount.add_argument("round", help="the round's number (e.g. 2026)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = services.access_round(options["round"])
        except BudgetError as error:
            raise CommandError(error.message) from None
        result = services.recount(found)
        for line in result.report("project", "choice not on the ballot"):
            self.stdout.write(line)
        if not result.agrees:
            self.stderr.write("the ledger and the counts shown differ")
            sys.exit(1)
