"""``misto petitions recount <number>``: the three counts of a petition, exit 1 if they differ.

The same check the public recount page makes, for auditors and for cron: the count shown,
the signature rows, and a replay of the petition's entries in the public ledger.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.petitions import services
from misto.petitions.models import PUBLIC, Petition


class Command(BaseCommand):
    help = "E-petitions: recount a petition (or every public one) from the public ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        recount = actions.add_parser("recount", help="Recount from the ledger; exit 1 on a "
                                                     "disagreement.")
        recount.add_argument("number", nargs="?", help="the petition's number (2026-0001); "
                                                      "all public petitions when omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        number = options.get("number")
        rows = Petition.objects.filter(status__in=PUBLIC).order_by("number")
        if number:
            rows = rows.filter(number=number)
            if not rows.exists():
                raise CommandError(f"there is no public petition {number!r}")
        disagreements = 0
        for petition in rows:
            result = services.recount(petition)
            verdict = "agrees" if result.agrees else "DISAGREES"
            self.stdout.write(
                f"{petition.number}: shown {result.displayed}, signatures {result.rows}, "
                f"ledger {result.ledger} ({result.ledger_entries} entries) - {verdict}")
            for signer in result.duplicates:
                self.stdout.write(f"  signed twice in the ledger: {signer}")
            for signer in result.unmatched:
                self.stdout.write(f"  withdrawn or annulled without a signature: {signer}")
            disagreements += not result.agrees
        if disagreements:
            raise CommandError(f"{disagreements} petition(s) disagree with the ledger")
