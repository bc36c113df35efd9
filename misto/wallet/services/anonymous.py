"""Anonymous city cards: a card sold at a service desk with its own balance, no person.

The card's account is a resident-side account with no user (``Account.anonymous``): the
journal's floor applies to it (never below zero, no ride on credit: there is nobody to owe
the debt), fares are the full fare (no register benefits without a person), capping counts
its own rides. It is topped up in cash at a desk (a transfer from the ``cash`` account, by the
clerk) or through the payment gateway by the card's number (anyone may pay money onto a
card; the answer shows nothing about it). A validator charges it like any card.

Whoever holds the card can register it to themselves with its number and the registration
code printed on its sleeve (stored hashed; five wrong codes lock it for the desk to sort out):
the card then pays from their wallet and its balance moves there in one balanced transfer.

An anonymous card cannot be blocked by a resident: nobody can prove it is theirs, and a
block on a stranger's word would stop the holder's money. A lost anonymous card is like
lost cash; once registered, its owner blocks it and keeps the balance (docs/wallet.md).
Nothing personal is in any event (a top-up's amount and ``cash`` only).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from misto.core import bus
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.events import TopUpCompleted
from misto.wallet.models import Account, AccountKind, Card, TopUp, TransferKind
from misto.wallet.services.accounts import access_account, system_account
from misto.wallet.services.cards import check_card_number, check_issue, do_issue_card
from misto.wallet.services.journal import Duplicate, Leg, balance, do_transfer
from misto.wallet.services.payments import check_topup_amount, do_start_topup

CODE_DIGITS = 8
MAX_CLAIM_FAILURES = 5


def _hash_code(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{code}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SoldCard:
    card: Card
    code: str  # the registration code, printed on the sleeve; shown once
    balance: int


def card_in_use(number: Any) -> Card:
    """A card in use by its number (any card: money can be paid onto a registered one too);
    an unknown number is a 404, a blocked card a 409."""
    number = check_card_number(number)
    card = Card.objects.select_related("account").filter(number=number).first()
    if card is None:
        raise WalletError(WalletCode.UNKNOWN_CARD, _("There is no city card with this number."),
                          field="number")
    if card.blocked_at is not None:
        raise WalletError(WalletCode.CARD_BLOCKED, _("This card is blocked."), field="number")
    return card


def anonymous_card(number: Any) -> Card:
    card = card_in_use(number)
    if not card.account.anonymous:
        raise WalletError(WalletCode.CONFLICT,
                          _("This card is registered to a person; its holder sees its "
                            "balance in their wallet."), field="number")
    return card


def do_sell_card(clerk: Any, cash: int = 0) -> SoldCard:
    """A new anonymous card with its own account, and its first cash top-up if any."""
    if cash:
        check_topup_amount(cash)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    with transaction.atomic():
        account = Account.objects.create(kind=AccountKind.RESIDENT, anonymous=True,
                                         credit_limit=0)
        card = do_issue_card(account)
        card.claim_hash = _hash_code(card.number, code)
        card.save(update_fields=["claim_hash"])
        if cash:
            _cash_in(clerk, account, cash, f"sale:{card.pk}")
    return SoldCard(card, code, balance(account))


def _cash_in(clerk: Any, account: Account, amount: int, key: str) -> None:
    do_transfer(TransferKind.TOPUP, f"cash:{key}"[:120],
                [Leg(system_account(AccountKind.CASH), -amount), Leg(account, amount)],
                memo="cash", by=clerk)
    bus.publish(TopUpCompleted(amount=amount, provider="cash"))


def do_cash_topup(clerk: Any, card: Card, amount: int, request_id: str) -> int:
    """Cash paid at a desk onto ``card``'s account, once per ``request_id``; its balance."""
    check_topup_amount(amount)
    with transaction.atomic(), contextlib.suppress(Duplicate):  # the form sent twice
        _cash_in(clerk, card.account, amount, f"{card.pk}:{request_id}")
    return balance(card.account)


def do_start_card_topup(card: Card, amount: int, provider_code: str | None = None) -> TopUp:
    """A top-up of the card's account through the gateway (pending until its callback)."""
    topup = do_start_topup(card.account, amount, provider_code)
    TopUp.objects.filter(pk=topup.pk).update(card=card)
    topup.card = card
    return topup


def do_register_card(user: Any, number: Any, code: str) -> Card:
    """Register an anonymous card to the signed-in resident (number + sleeve code): it pays
    from their wallet from now on and its balance moves there."""
    own = access_account(user)
    card = anonymous_card(number)
    code = "".join(str(code or "").split())
    with transaction.atomic():
        card = Card.objects.select_for_update().select_related("account").get(pk=card.pk)
        if card.claim_failures >= MAX_CLAIM_FAILURES:
            raise WalletError(WalletCode.CONFLICT,
                              _("Too many wrong codes for this card: bring it to a city "
                                "service centre."), field="code")
        if not (card.claim_hash and hmac.compare_digest(card.claim_hash,
                                                        _hash_code(card.number, code))):
            Card.objects.filter(pk=card.pk).update(claim_failures=card.claim_failures + 1)
            wrong = WalletError(WalletCode.WRONG_CODE,
                                _("The registration code does not match this card."),
                                field="code")
        else:
            wrong = None
    if wrong is not None:  # the count is committed, the refusal raised outside it
        raise wrong
    with transaction.atomic():
        card = Card.objects.select_for_update().select_related("account").get(pk=card.pk)
        if not card.account.anonymous:
            raise WalletError(WalletCode.CONFLICT, _("This card is registered already."))
        check_issue(own)
        anonymous = card.account
        Account.objects.select_for_update().filter(pk=anonymous.pk).first()
        left = balance(anonymous)
        if left > 0:
            do_transfer(TransferKind.CARD, f"register:{card.pk}",
                        [Leg(anonymous, -left), Leg(own, left)], by=user)
        card.account = own
        card.claim_hash = ""
        card.save(update_fields=["account", "claim_hash"])
    return card


__all__ = ["SoldCard", "anonymous_card", "card_in_use", "do_cash_topup", "do_register_card",
           "do_sell_card", "do_start_card_topup"]
