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
        for number, ledger, shown in result.projects:
            self.stdout.write(f"project {number}: ledger {ledger}, shown {shown}")
        self.stdout.write(f"ballots: ledger {result.ballots_ledger}, "
                          f"shown {result.ballots_shown}")
        for label, indexes in (("forged token", result.forged),
                               ("token used twice", result.reused),
                               ("choice not on the ballot", result.invalid)):
            for index in indexes:
                self.stdout.write(f"ledger entry {index}: {label}")
        if not result.agrees:
            self.stderr.write("the ledger and the counts shown differ")
            sys.exit(1)
