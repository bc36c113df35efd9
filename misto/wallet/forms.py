"""Parsing what a person types: an amount in hryvnias to integer kopiyky, never a float."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from misto.wallet.errors import WalletCode, WalletError

AMOUNT = re.compile(r"^\s*(\d{1,6})(?:[.,](\d{1,2}))?\s*$")


def kopiyky_from_text(text: str) -> int:
    """"150", "150.5", "150,50" -> 15000, 15050, 15050; anything else is refused."""
    match = AMOUNT.match(text or "")
    if match is None:
        raise WalletError(WalletCode.INVALID, _("Enter an amount in hryvnias, e.g. 100 or "
                                                "99,50."), field="amount")
    whole, part = match.groups()
    return int(whole) * 100 + int((part or "0").ljust(2, "0"))
