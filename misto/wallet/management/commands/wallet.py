"""``misto wallet check``: recompute every balance from the postings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.wallet.services import check_book


class Command(BaseCommand):
    help = "The city wallet: `check` recomputes every account's balance from its postings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = check_book()
        self.stdout.write(f"accounts {result.accounts}, postings {result.postings}, "
                          f"imbalance {result.imbalance}")
        for transfer in result.bad_transfers:
            self.stdout.write(f"transfer {transfer} does not sum to zero")
        for account in result.bad_accounts:
            self.stdout.write(f"account {account} is below its credit limit")
        if not result.ok:
            raise CommandError("the wallet's book does not balance", returncode=1)
