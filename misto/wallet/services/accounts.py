"""Accounts: one per resident of the register, plus the city's own system accounts."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from misto import residents
from misto.core.config import env_int
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Account, AccountKind


def default_credit_limit() -> int:
    """Kopiyky a resident may ride on credit below zero (fares only)."""
    return env_int("MISTO_WALLET_CREDIT_LIMIT", 2000, minimum=0)


def system_account(kind: AccountKind) -> Account:
    if kind == AccountKind.RESIDENT:
        raise ValueError("a resident's account belongs to a person")
    account = Account.objects.filter(kind=kind).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=kind)
        except IntegrityError:  # another request made it first
            account = Account.objects.get(kind=kind)
    return account


def is_resident(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and residents.person_summary(user) is not None)


def account_of(user: Any) -> Account | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Account.objects.filter(user=user).first()


def access_account(user: Any) -> Account:
    """The signed-in resident's account, opened on first use; only people in the register
    have one (an account is the person's, not the login's)."""
    account = account_of(user)
    if account is not None:
        return account
    if not is_resident(user):
        raise WalletError(WalletCode.NO_ACCOUNT,
                          _("A wallet belongs to a resident in the city's register; "
                            "this sign-in is not linked to one."))
    try:
        with transaction.atomic():
            return Account.objects.create(kind=AccountKind.RESIDENT, user=user,
                                          credit_limit=default_credit_limit())
    except IntegrityError:
        return Account.objects.get(user=user)


def staff_account(account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id, kind=AccountKind.RESIDENT).first()
    if account is None:
        raise WalletError(WalletCode.NOT_FOUND, _("There is no such account."))
    return account


__all__ = ["access_account", "account_of", "default_credit_limit", "is_resident",
           "staff_account", "system_account"]
