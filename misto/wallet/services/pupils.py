"""A pupil's card: a child of the resident's household, as the register records it, rides on
an account of their own that the parent manages.

The child has no sign-in, so the account names the child by the register's reference
(``Account.holder``: benefits, such as the pupils' discount, are the child's on the day of
each ride) and the parent as its ``manager``; caps count the child's rides alone. The parent
orders, blocks and replaces the card (as their own, :mod:`misto.wallet.services.cards`) and
moves money to it from their own balance, never on credit. Whom a parent may manage is the
register's answer (``residents.children_of``), checked on every request: a household link
removed in the register ends the management.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from misto import residents
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Account, AccountKind, Card, TransferKind
from misto.wallet.services.accounts import access_account
from misto.wallet.services.cards import do_issue_card
from misto.wallet.services.journal import Duplicate, Leg, balance, do_transfer


@dataclass(frozen=True)
class Pupil:
    ref: UUID
    first_name: str
    account: Account | None  # None until the parent orders the first card
    balance: int
    cards: list[Card]


def pupils_of(parent: Any) -> list[Pupil]:
    """The parent's children in the register, each with their account and cards if any."""
    accounts = {account.holder: account
                for account in Account.objects.filter(manager=parent, holder__isnull=False)}
    found = []
    for child in residents.children_of(parent):
        account = accounts.get(child.ref)
        cards = list(account.cards.order_by("-issued_at")) if account else []
        found.append(Pupil(child.ref, child.first_name, account,
                           balance(account) if account else 0, cards))
    return found


def access_pupil_account(parent: Any, ref: Any) -> Account:
    """The pupil's account a parent manages, opened on first use; a child the register
    does not give this parent is the same 404 as none."""
    try:
        child = UUID(str(ref))
    except ValueError:
        child = None
    if child is None or child not in {c.ref for c in residents.children_of(parent)}:
        raise WalletError(WalletCode.NOT_FOUND, _("There is no such child in your household."))
    access_account(parent)  # the parent is a resident of the register with a wallet
    account = Account.objects.filter(manager=parent, holder=child).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=AccountKind.RESIDENT, manager=parent,
                                          holder=child, credit_limit=0)
    except IntegrityError:
        return Account.objects.get(manager=parent, holder=child)


def do_issue_pupil_card(parent: Any, ref: Any) -> Card:
    return do_issue_card(access_pupil_account(parent, ref))


def check_move(amount: int) -> int:
    if not isinstance(amount, int) or not 100 <= amount <= 1_000_000:
        raise WalletError(WalletCode.INVALID,
                          _("Move from 1 to 10,000 UAH at a time."), field="amount")
    return amount


def do_move_to_pupil(parent: Any, ref: Any, amount: int, request_id: str) -> int:
    """Move ``amount`` kopiyky from the parent's balance to the pupil's (once per
    ``request_id``); returns the pupil's balance."""
    check_move(amount)
    pupil = access_pupil_account(parent, ref)
    own = access_account(parent)
    with contextlib.suppress(Duplicate):  # the same form sent twice: moved once
        do_transfer(TransferKind.FAMILY, f"family:{own.pk}:{request_id}",
                    [Leg(own, -amount), Leg(pupil, amount)], by=parent)
    return balance(pupil)
