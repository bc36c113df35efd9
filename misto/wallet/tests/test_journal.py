"""The double-entry journal: balanced transfers, no negative balances, append-only."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from misto.testing.world import make_resident
from misto.wallet import services
from misto.wallet.errors import WalletError
from misto.wallet.models import Account, AccountKind, AppendOnly, Posting, TransferKind
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def test_an_account_is_only_for_a_person_in_the_register(fares: None) -> None:
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("no-person")
    with pytest.raises(WalletError) as refused:
        services.access_account(stranger)
    assert refused.value.code == "no_account" and refused.value.status == 404
    resident = make_resident("person")
    first = services.access_account(resident)
    assert services.access_account(resident).pk == first.pk  # one account per resident


def test_a_debit_below_zero_is_refused_and_changes_nothing(account: Account) -> None:
    top_up(account, 1000)
    fares_account = services.system_account(AccountKind.FARES)
    with pytest.raises(WalletError) as refused:
        services.do_transfer(TransferKind.PASS, "too-much",
                             [services.Leg(account, -1001), services.Leg(fares_account, 1001)])
    assert refused.value.code == "insufficient_funds"
    assert services.balance(account) == 1000
    assert not Posting.objects.filter(transfer__key="too-much").exists()


def test_credit_goes_only_down_to_the_limit_and_only_when_allowed(account: Account) -> None:
    account.credit_limit = 2000
    account.save()
    revenue = services.system_account(AccountKind.FARES)
    with pytest.raises(WalletError):  # a pass is never bought on credit
        services.do_transfer(TransferKind.PASS, "k1", [services.Leg(account, -1500),
                                                       services.Leg(revenue, 1500)])
    services.do_transfer(TransferKind.FARE, "k2", [services.Leg(account, -1500),
                                                   services.Leg(revenue, 1500)], use_credit=True)
    services.do_transfer(TransferKind.FARE, "k3", [services.Leg(account, -500),
                                                   services.Leg(revenue, 500)], use_credit=True)
    assert services.balance(account) == -2000
    with pytest.raises(WalletError):
        services.do_transfer(TransferKind.FARE, "k4", [services.Leg(account, -1),
                                                       services.Leg(revenue, 1)],
                             use_credit=True)


def test_unbalanced_or_float_transfers_cannot_be_written(account: Account) -> None:
    revenue = services.system_account(AccountKind.FARES)
    with pytest.raises(ValueError):
        services.do_transfer(TransferKind.FARE, "x", [services.Leg(account, 5),
                                                      services.Leg(revenue, -4)])
    with pytest.raises(TypeError):
        services.do_transfer(TransferKind.FARE, "y", [services.Leg(account, 1.5),  # type: ignore[arg-type]
                                                      services.Leg(revenue, -1.5)])  # type: ignore[arg-type]


def test_postings_are_append_only(account: Account) -> None:
    top_up(account, 500)
    posting = Posting.objects.filter(account=account).first()
    assert posting is not None
    posting.amount = 10**6
    with pytest.raises(AppendOnly):
        posting.save()
    with pytest.raises(AppendOnly):
        posting.delete()
    assert services.balance(account) == 500


def test_the_book_balances_after_randomised_operations(fares: None) -> None:
    rng = random.Random(20)
    accounts = [services.access_account(make_resident(f"r{i}")) for i in range(4)]
    revenue = services.system_account(AccountKind.FARES)
    for step in range(120):
        account = rng.choice(accounts)
        operation = rng.random()
        try:
            if operation < 0.35:
                top_up(account, rng.randint(100, 5000))
            elif operation < 0.8:
                amount = rng.randint(1, 3000)
                services.do_transfer(TransferKind.FARE, f"f{step}",
                                     [services.Leg(account, -amount),
                                      services.Leg(revenue, amount)],
                                     use_credit=rng.random() < 0.5)
            else:
                services.do_correct(account, rng.randint(-2000, 2000) or 1, "test", None)
        except WalletError:
            pass
        for each in accounts:  # never below zero beyond the credit limit
            assert services.balance(each) >= -each.credit_limit
    assert Posting.objects.aggregate(s=Sum("amount"))["s"] == 0
    check = services.check_book()
    assert check.ok and check.postings == Posting.objects.count()
    out = io.StringIO()
    call_command("wallet", "check", stdout=out)
    assert out.getvalue().startswith(f"accounts {Account.objects.count()}, postings ")
    assert out.getvalue().strip().endswith("imbalance 0")


def test_wallet_check_fails_on_a_tampered_book(account: Account) -> None:
    top_up(account, 700)
    # Tampering behind the model's back (what the check exists to catch).
    Posting.objects.filter(account=account).update(amount=900)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("wallet", "check", stdout=out)
    assert "imbalance 200" in out.getvalue()


def test_corrections_need_a_reason(account: Account, db: Any) -> None:
    with pytest.raises(WalletError) as refused:
        services.do_correct(account, 500, "  ", None)
    assert refused.value.field == "reason"
    services.do_correct(account, 500, "refund: the validator charged twice", None)
    assert services.balance(account) == 500
