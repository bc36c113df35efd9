"""The double-entry journal: every change of money is one balanced ``Transfer``.

``do_transfer`` and, for a validator's upload, ``post_transfers`` are the only writers of
postings; both refuse legs that do not balance. ``do_transfer`` locks the accounts it
debits (row locks on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway),
re-reads their balances inside the transaction and refuses a debit that would take a
resident's account below zero, or below minus its credit limit when the movement may use
credit (fares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Account, AccountKind, Posting, Transfer, TransferKind


def balance(account: Account | int) -> int:
    """Kopiyky: the sum of the account's postings (never a stored number)."""
    account_id = account if isinstance(account, int) else account.pk
    total = Posting.objects.filter(account_id=account_id).aggregate(s=Sum("amount"))["s"]
    return int(total or 0)


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int  # kopiyky; + credits, - debits


class Duplicate(Exception):
    """A transfer with this key exists: the request was already applied."""

    def __init__(self, transfer: Transfer) -> None:
        super().__init__(transfer.key)
        self.transfer = transfer


def _check_legs(legs: Sequence[Leg]) -> None:
    if len(legs) < 2 or sum(leg.amount for leg in legs) != 0:
        raise ValueError("a transfer needs two or more legs summing to zero")
    if any(not isinstance(leg.amount, int) or isinstance(leg.amount, bool) for leg in legs):
        raise TypeError("amounts are integer kopiyky")


def do_transfer(kind: TransferKind, key: str, legs: Sequence[Leg], *, memo: str = "",
                by: Any = None, use_credit: bool = False) -> Transfer:
    """Write one balanced transfer; raises ``Duplicate`` when ``key`` was applied before.

    Run inside the caller's transaction when it has one (the change and its money commit
    together)."""
    _check_legs(legs)
    with transaction.atomic():
        existing = Transfer.objects.filter(key=key).first()
        if existing is not None:
            raise Duplicate(existing)
        debited = sorted({leg.account.pk for leg in legs if leg.amount < 0
                          and leg.account.kind == AccountKind.RESIDENT})
        locked = {a.pk: a for a in Account.objects.select_for_update()
                  .filter(pk__in=debited).order_by("pk")}
        for account_id in debited:
            account = locked[account_id]
            change = sum(leg.amount for leg in legs if leg.account.pk == account_id)
            floor = -account.credit_limit if use_credit else 0
            if change < 0 and balance(account_id) + change < floor:
                raise WalletError(WalletCode.INSUFFICIENT_FUNDS,
                                  _("There is not enough money in the wallet."))
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(kind=kind, key=key, memo=memo[:200], by=by)
        except IntegrityError:
            raise Duplicate(Transfer.objects.get(key=key)) from None
        Posting.objects.bulk_create(Posting(transfer=transfer, account=leg.account,
                                            amount=leg.amount) for leg in legs)
    return transfer


def post_transfers(kind: TransferKind, entries: Sequence[tuple[str, Sequence[Leg]]], *,
                   memo: str = "") -> list[Transfer]:
    """Write many balanced transfers (key, legs) in two inserts: a validator's upload.

    The caller's transaction has locked the debited accounts and checked their balances
    set-wise, and left out keys applied before: a repeated key fails the whole batch."""
    for _key, legs in entries:
        _check_legs(legs)
    transfers = Transfer.objects.bulk_create(
        Transfer(kind=kind, key=key, memo=memo[:200]) for key, _legs in entries)
    Posting.objects.bulk_create(
        Posting(transfer=transfer, account=leg.account, amount=leg.amount)
        for transfer, (_key, legs) in zip(transfers, entries, strict=True) for leg in legs)
    return transfers


@dataclass(frozen=True)
class BookCheck:
    accounts: int
    postings: int
    imbalance: int  # kopiyky: the whole book's sum (0 when it balances)
    bad_transfers: list[int]
    bad_accounts: list[int]  # residents below minus their credit limit

    @property
    def ok(self) -> bool:
        return self.imbalance == 0 and not self.bad_transfers and not self.bad_accounts


def check_book() -> BookCheck:
    """Recompute every account from its postings; every transfer must sum to zero."""
    bad_transfers = sorted(row["transfer"] for row in Posting.objects.values("transfer")
                           .annotate(s=Sum("amount")).exclude(s=0))
    sums = {row["account"]: int(row["s"] or 0) for row in
            Posting.objects.values("account").annotate(s=Sum("amount"))}
    bad_accounts = sorted(
        account.pk for account in Account.objects.filter(kind=AccountKind.RESIDENT)
        if sums.get(account.pk, 0) < -account.credit_limit)
    total = Posting.objects.aggregate(s=Sum("amount"))["s"] or 0
    return BookCheck(accounts=Account.objects.count(), postings=Posting.objects.count(),
                     imbalance=int(total), bad_transfers=bad_transfers,
                     bad_accounts=bad_accounts)


def history(account: Account, limit: int = 50) -> list[dict[str, Any]]:
    """The account's movements, newest first: kind, memo, amount for this account."""
    rows = (Posting.objects.filter(account=account).select_related("transfer")
            .order_by("-transfer__created_at", "-pk")[:limit])
    return [{"id": row.transfer_id, "kind": row.transfer.kind,
             "kind_label": row.transfer.get_kind_display(), "memo": row.transfer.memo,
             "amount": row.amount, "at": row.transfer.created_at} for row in rows]
