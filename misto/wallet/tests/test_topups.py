"""Top-ups: only a callback signed by the provider credits; a repeat changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from misto.wallet import services
from misto.wallet.errors import WalletError
from misto.wallet.models import Account, TopUpStatus

pytestmark = pytest.mark.django_db
DEMO = services.DemoProvider()


def _callback(client: Client, data: str, signature: str) -> Any:
    return client.post("/api/wallet/providers/demo/callback",
                       json.dumps({"data": data, "signature": signature}),
                       content_type="application/json")


def test_a_signed_callback_credits_once(account: Account) -> None:
    started = services.do_start_topup(account, 20_000)
    assert services.balance(account) == 0  # nothing until the provider says so
    data, signature = DEMO.encode({"order_id": str(started.order_id), "amount": 20_000,
                                   "status": "success", "payment_id": "p-1"})
    client = Client()
    first = _callback(client, data, signature)
    again = _callback(client, data, signature)
    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "paid"
    assert services.balance(account) == 20_000


def test_a_forged_callback_is_refused_and_changes_nothing(account: Account) -> None:
    started = services.do_start_topup(account, 20_000)
    data, _signature = DEMO.encode({"order_id": str(started.order_id), "amount": 20_000,
                                    "status": "success", "payment_id": "p-2"})
    forged = _callback(Client(), data, "AAAA" + _signature[4:])
    assert forged.status_code == 403 and forged.json()["error"] == "bad_signature"
    started.refresh_from_db()
    assert started.status == TopUpStatus.PENDING and services.balance(account) == 0


def test_an_amount_that_differs_is_refused(account: Account) -> None:
    started = services.do_start_topup(account, 20_000)
    data, signature = DEMO.encode({"order_id": str(started.order_id), "amount": 99_999,
                                   "status": "success", "payment_id": "p-3"})
    assert _callback(Client(), data, signature).status_code == 409
    assert services.balance(account) == 0


def test_a_failed_payment_credits_nothing_and_cannot_be_paid_later(account: Account) -> None:
    started = services.demo_pay(services.do_start_topup(account, 5000), succeed=False)
    assert started.status == TopUpStatus.FAILED
    assert services.demo_pay(started).status == TopUpStatus.FAILED
    assert services.balance(account) == 0


def test_garbage_and_bad_amounts_are_4xx(account: Account) -> None:
    assert _callback(Client(), "!!!", DEMO.sign("!!!")).status_code == 400
    with pytest.raises(WalletError):
        services.do_start_topup(account, 50)
    assert Client().post("/api/wallet/providers/nope/callback",
                         json.dumps({"data": "x", "signature": "y"}),
                         content_type="application/json").status_code == 404
