"""Staff corrections and refunds: a balanced transfer with the city's corrections account,
with its reason and its author recorded; never an edit of a posting."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _

from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Account, AccountKind, Transfer, TransferKind
from misto.wallet.services.accounts import system_account
from misto.wallet.services.journal import Leg, do_transfer

MAX_CORRECTION = 1_000_000  # 10 000 UAH


def do_correct(account: Account, amount: int, reason: str, by: Any) -> Transfer:
    reason = (reason or "").strip()
    if not reason:
        raise WalletError(WalletCode.INVALID, _("Give the reason for the correction."),
                          field="reason")
    if amount == 0 or abs(amount) > MAX_CORRECTION:
        raise WalletError(WalletCode.INVALID,
                          _("A correction is a non-zero amount up to 10 000 UAH."),
                          field="amount")
    return do_transfer(TransferKind.CORRECTION, f"correction:{uuid.uuid4()}",
                       [Leg(account, amount),
                        Leg(system_account(AccountKind.CORRECTIONS), -amount)],
                       memo=reason, by=by)
