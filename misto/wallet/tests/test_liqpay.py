"""The LiqPay adapter, against LiqPay's published protocol: the checkout request and the
form-encoded server callback, signed base64(SHA-1(private + data + private))."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from misto.wallet import services
from misto.wallet.errors import WalletError
from misto.wallet.models import Account, TopUpStatus

pytestmark = pytest.mark.django_db
PUBLIC, PRIVATE = "sandbox_i000000001", "sandbox_private-key-of-the-test-merchant"


@pytest.fixture(autouse=True)
def merchant(settings: Any) -> None:
    settings.MISTO_WALLET_LIQPAY_PUBLIC_KEY = PUBLIC
    settings.MISTO_WALLET_LIQPAY_PRIVATE_KEY = PRIVATE
    settings.MISTO_PUBLIC_URL = "https://misto.example.ua"


def liqpay_signature(data: str) -> str:
    """Written from LiqPay's documentation, not from the adapter."""
    return base64.b64encode(hashlib.sha1(f"{PRIVATE}{data}{PRIVATE}".encode()).digest()).decode()


def notice(order_id: str, amount: str | float = "123.45", **fields: Any) -> tuple[str, str]:
    payload = {"version": 3, "public_key": PUBLIC, "action": "pay", "status": "success",
               "order_id": order_id, "amount": amount, "currency": "UAH",
               "payment_id": 2_445_789_123, **fields}
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return data, liqpay_signature(data)


def post(data: str, signature: str) -> Any:
    """As LiqPay posts it: a form, not JSON."""
    return Client().post("/api/wallet/providers/liqpay/form-callback",
                         {"data": data, "signature": signature})


def test_the_checkout_request_is_signed_as_liqpay_checks_it(account: Account) -> None:
    started = services.do_start_topup(account, 12_345, "liqpay")
    url = services.provider("liqpay").checkout(started)
    assert url.startswith("https://www.liqpay.ua/api/3/checkout?")
    query = parse_qs(urlsplit(url).query)
    data, signature = query["data"][0], query["signature"][0]
    assert signature == liqpay_signature(data)
    request = json.loads(base64.b64decode(data))
    assert request | {"description": ""} == {
        "version": 3, "public_key": PUBLIC, "action": "pay", "amount": "123.45",
        "currency": "UAH", "description": "", "order_id": str(started.order_id),
        "result_url": "https://misto.example.ua/wallet/",
        "server_url": "https://misto.example.ua/api/wallet/providers/liqpay/form-callback"}


def test_a_settled_payment_credits_once(account: Account) -> None:
    started = services.do_start_topup(account, 12_345, "liqpay")
    data, signature = notice(str(started.order_id))
    first, again = post(data, signature), post(data, signature)
    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "paid"
    assert services.balance(account) == 12_345


@pytest.mark.parametrize(("change", "status"), [
    ({"signature": "forged"}, 403),
    ({"public_key": "sandbox_i999"}, 409),  # another merchant's payment
    ({"currency": "USD"}, 409),
    ({"amount": "123.456"}, 409),  # not whole kopiyky
    ({"amount": "100.00"}, 409),  # not what the top-up asked
    ({"order_id": "not-an-order"}, 400),
])
def test_a_wrong_notice_is_refused_and_changes_nothing(account: Account,
                                                       change: dict[str, str],
                                                       status: int) -> None:
    started = services.do_start_topup(account, 12_345, "liqpay")
    fields = {key: value for key, value in change.items() if key != "signature"}
    data, signature = notice(str(fields.pop("order_id", started.order_id)), **fields)
    answer = post(data, change.get("signature", signature))
    assert answer.status_code == status, answer.content
    assert answer.json()["detail"]
    started.refresh_from_db()
    assert started.status == TopUpStatus.PENDING and services.balance(account) == 0


def test_unsettled_and_sandbox_payments_leave_the_top_up_pending(account: Account,
                                                                 settings: Any) -> None:
    started = services.do_start_topup(account, 12_345, "liqpay")
    for status in ("processing", "wait_accept", "3ds_verify", "sandbox"):
        assert post(*notice(str(started.order_id), status=status)).status_code == 200
    started.refresh_from_db()
    assert started.status == TopUpStatus.PENDING and services.balance(account) == 0
    settings.MISTO_WALLET_LIQPAY_SANDBOX = True  # a city testing its merchant account
    assert post(*notice(str(started.order_id), status="sandbox")).json()["status"] == "paid"


def test_a_failed_payment_fails_the_top_up(account: Account) -> None:
    started = services.do_start_topup(account, 12_345, "liqpay")
    assert post(*notice(str(started.order_id), status="failure")).json()["status"] == "failed"
    assert services.balance(account) == 0


def test_without_keys_there_is_no_liqpay(account: Account, settings: Any) -> None:
    started = services.do_start_topup(account, 12_345, "liqpay")
    settings.MISTO_WALLET_LIQPAY_PRIVATE_KEY = ""
    with pytest.raises(WalletError) as refused:
        services.do_start_topup(account, 12_345, "liqpay")
    assert refused.value.status == 404
    assert post(*notice(str(started.order_id))).status_code == 404


def test_the_city_chooses_the_provider_of_its_residents_top_ups(account: Account,
                                                                settings: Any) -> None:
    assert services.do_start_topup(account, 10_000).provider == "demo"
    settings.MISTO_WALLET_PROVIDER = "liqpay"
    assert services.do_start_topup(account, 10_000).provider == "liqpay"
