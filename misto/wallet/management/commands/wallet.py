"""``misto wallet check``: recompute every balance from the postings.

``misto wallet statement --day D``: the demo gateway's statement for a day (LiqPay's report
shape), to stdout. ``misto wallet reconcile --provider P --day D FILE``: import the
acquirer's statement for the day, match it with the wallet's top-ups and keep the result
(exit 1 when anything does not match; a bad row is refused with its number).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from misto.wallet.errors import WalletError
from misto.wallet.services import check_book, demo_statement, do_reconcile


class Command(BaseCommand):
    help = ("The city wallet: `check` recomputes every account's balance from its postings; "
            "`statement` prints the demo gateway's statement of a day; `reconcile` matches an "
            "acquirer's statement with the day's top-ups.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "statement", "reconcile"])
        parser.add_argument("file", nargs="?", help="reconcile: the statement (JSON or CSV)")
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--provider", default="liqpay")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self._check()
            return
        day = self._day(options.get("day"))
        if options["action"] == "statement":
            self.stdout.write(demo_statement(day))
            return
        if not options.get("file"):
            raise CommandError("reconcile needs the statement file")
        try:
            text = Path(options["file"]).read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read the statement: {error}") from None
        try:
            result = do_reconcile(options["provider"], day, text)
        except WalletError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{result.provider} {result.day}: statement {result.statement_rows} "
                          f"payments, {result.statement_total} kop; wallet "
                          f"{result.wallet_total} kop; matched {result.matched}; "
                          f"discrepancies {len(result.items)} (reconciliation {result.pk})")
        for item in result.items:
            self.stdout.write(f"{item['status']} {item['order_id']} statement "
                              f"{item['statement_kop']} wallet {item['wallet_kop']}")
        if result.items:
            raise CommandError("the statement and the wallet differ", returncode=1)

    def _day(self, text: str | None) -> date:
        if not text:
            return timezone.localdate() - timedelta(days=1)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError("--day is YYYY-MM-DD") from None

    def _check(self) -> None:
        result = check_book()
        self.stdout.write(f"accounts {result.accounts}, postings {result.postings}, "
                          f"imbalance {result.imbalance}")
        for transfer in result.bad_transfers:
            self.stdout.write(f"transfer {transfer} does not sum to zero")
        for account in result.bad_accounts:
            self.stdout.write(f"account {account} is below its credit limit")
        if not result.ok:
            raise CommandError("the wallet's book does not balance", returncode=1)
