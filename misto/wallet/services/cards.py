"""City cards: issue, block when lost, replace; and the deny-list validators check offline.

A card number is 16 digits with a Luhn check digit (``python-stdnum``), so a validator or a
clerk typing it catches a slip before asking the server. A card pays from its holder's
wallet account, so blocking a lost card moves nothing: the money was never on the card, and
the replacement (a new number, the same account) rides at once. A validator holds the
platform's signed deny-list (``GET /api/wallet/validators/deny-list``): SHA-256 digests of
blocked numbers (a stolen validator leaks no card numbers), the fare table it shows, when
it was issued and by which key, signed with the ride tokens' Ed25519 key
(:mod:`misto.wallet.offline`). A tap uploaded later with a card blocked before the tap is
refused; one blocked after it is charged (the validator could not know).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn

from misto import residents
from misto.wallet import offline
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Account, Card
from misto.wallet.services import fares
from misto.wallet.services.keys import signing_keys

PREFIX = "9804"  # the city card range: "98" (a closed-loop card), "04" (this platform)
NUMBER_LENGTH = 16
MAX_ACTIVE = 2  # cards one account may have in use at once (a spare for a second bag)


def check_card_number(text: Any) -> str:
    """The number without spaces, if it is 16 digits with a right check digit."""
    number = "".join(str(text or "").split())
    if not (number.isdigit() and len(number) == NUMBER_LENGTH and luhn.is_valid(number)):
        raise WalletError(WalletCode.INVALID,
                          _("A city card number is 16 digits, as printed on the card."),
                          field="number")
    return number


def _new_number() -> str:
    body = PREFIX + "".join(secrets.choice("0123456789")
                            for _ in range(NUMBER_LENGTH - len(PREFIX) - 1))
    return body + luhn.calc_check_digit(body)


def digest(number: str) -> str:
    """What the deny-list carries for a number."""
    return hashlib.sha256(number.encode("ascii")).hexdigest()


def cards_of(account: Account) -> list[Card]:
    """In use first (a blocked card's ``blocked_at`` is set), newest first."""
    return list(account.cards.select_related("replaced_by")
                .order_by(F("blocked_at").asc(nulls_first=True), "-issued_at"))


def access_card(user: Any, card_id: int) -> Card:
    """A card of the user's own wallet, or of a pupil's they manage while the register still
    gives them the child; another's, or none, is the same 404."""
    card = (Card.objects.select_related("account")
            .filter(Q(account__user=user) | Q(account__manager=user), pk=card_id).first()
            if getattr(user, "is_authenticated", False) else None)
    if card is not None and card.account.user_id is None and card.account.holder not in {
            child.ref for child in residents.children_of(user)}:
        card = None
    if card is None:
        raise WalletError(WalletCode.UNKNOWN_CARD, _("There is no such card in your wallet."))
    return card


def check_issue(account: Account) -> None:
    if account.cards.filter(blocked_at__isnull=True).count() >= MAX_ACTIVE:
        raise WalletError(WalletCode.CONFLICT,
                          _("A wallet holds at most %(n)d cards in use; block one first.")
                          % {"n": MAX_ACTIVE})


def do_issue_card(account: Account, *, replacing: Card | None = None) -> Card:
    """A new card on ``account`` (a new number until one is free)."""
    with transaction.atomic():
        if replacing is None:
            check_issue(account)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    card = Card.objects.create(number=_new_number(), account=account)
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 10^11 numbers
            raise WalletError(WalletCode.CONFLICT, _("No free card number; try again."))
        if replacing is not None:
            Card.objects.filter(pk=replacing.pk).update(replaced_by=card)
    return card


def do_block_card(card: Card) -> Card:
    """Block a lost or stolen card from now on (a second block changes nothing)."""
    if card.blocked_at is None:
        card.blocked_at = timezone.now()
        card.save(update_fields=["blocked_at"])
    return card


def do_replace_card(card: Card) -> Card:
    """Block ``card`` and issue its replacement on the same account, once."""
    with transaction.atomic():
        card = Card.objects.select_for_update().get(pk=card.pk)
        if card.replaced_by_id is not None:
            raise WalletError(WalletCode.CONFLICT, _("This card has been replaced already."))
        do_block_card(card)
        return do_issue_card(card.account, replacing=card)


def blocked_cards() -> int:
    return Card.objects.filter(blocked_at__isnull=False).count()


def deny_list() -> str:
    """The signed document validators hold: blocked cards' digests and the fare table."""
    table = fares.fare_table()
    blocked = sorted(digest(number) for number in
                     Card.objects.filter(blocked_at__isnull=False).values_list("number",
                                                                                 flat=True))
    return offline.sign_document(signing_keys()[0], {
        "deny": blocked, "issued": int(timezone.now().timestamp()),
        "fares": {"single": table.single_fare, "daily_cap": table.daily_cap,
                  "weekly_cap": table.weekly_cap}})
