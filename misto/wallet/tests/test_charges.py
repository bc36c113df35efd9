"""The core's charge contract (misto.core.payments) as the wallet implements it."""

from __future__ import annotations

from typing import Any

import pytest

from misto.core import payments
from misto.wallet import services
from misto.wallet.models import Account
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def test_a_service_is_charged_once_per_key_and_never_on_credit(rider: Any,
                                                               account: Account) -> None:
    account.credit_limit = 5000
    account.save()
    top_up(account, 3000)
    receipt = payments.charge(rider, 2000, purpose="parking", key="session-1", memo="A1")
    assert payments.charge(rider, 2000, purpose="parking", key="session-1") == receipt
    assert services.balance(account) == 1000
    with pytest.raises(payments.PaymentRefused):
        payments.charge(rider, 1500, purpose="parking", key="session-2")  # no credit here
    with pytest.raises(payments.PaymentRefused):
        payments.charge(rider, 999, purpose="parking", key="session-1")  # another amount
    assert services.balance(account) == 1000 and services.check_book().ok


def test_no_payer_and_bad_amounts(rider: Any) -> None:
    with pytest.raises(ValueError):
        payments.charge(rider, 0, purpose="parking", key="k")
    with pytest.raises(ValueError):
        payments.charge(rider, 10.5, purpose="parking", key="k")  # type: ignore[arg-type]
    saved = payments._payer
    payments.register_payer(None)
    try:
        with pytest.raises(payments.PaymentUnavailable):
            payments.charge(rider, 100, purpose="parking", key="k")
    finally:
        payments.register_payer(saved)
