"""LiqPay (PrivatBank's acquiring, Checkout API v3): the payment provider most Ukrainian
cities already hold a merchant account with.

The protocol (https://www.liqpay.ua/doc/api): a request is ``data`` = base64 of a JSON object
and ``signature`` = base64(SHA-1(private_key + data + private_key)); the payer is sent to
``/api/3/checkout?data=..&signature=..``; when the payment settles, LiqPay POSTs the same pair,
form-encoded, to the ``server_url`` the request named. Nothing in the callback is read before
its signature matches, and the callback must name this merchant's public key, UAH and an
amount in hryvnias that converts to whole kopiyky exactly.

Statuses: ``success`` credits the top-up (``sandbox`` too, but only when the city switched
sandbox on: a test merchant's payments never credit a production wallet); ``failure``,
``error`` and ``reversed`` fail it; the rest (``processing``, ``wait_secure``, ``3ds_verify``,
``wait_accept``...) leave it pending: LiqPay calls again when it settles.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.urls import reverse
from django.utils.translation import gettext as _

from misto.core.config import env_bool, env_str, public_url
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import TopUp
from misto.wallet.services.payment_types import Callback

CHECKOUT_URL = "https://www.liqpay.ua/api/3/checkout"
PAID = frozenset({"success"})
FAILED = frozenset({"failure", "error", "reversed"})


class LiqPayProvider:
    code = "liqpay"

    def keys(self) -> tuple[str, str]:
        """(public key, private key); a city without a LiqPay account has no such provider."""
        public, private = self.keys_or_none()
        if not (public and private):
            raise WalletError(WalletCode.NOT_FOUND,
                              _("There is no such payment provider in this city."))
        return public, private

    def configured(self) -> bool:
        return all(self.keys_or_none())

    def keys_or_none(self) -> tuple[str, str]:
        return (env_str("MISTO_WALLET_LIQPAY_PUBLIC_KEY"),
                env_str("MISTO_WALLET_LIQPAY_PRIVATE_KEY"))

    def sign(self, data: str) -> str:
        private = self.keys()[1]
        digest = hashlib.sha1((private + data + private).encode("utf-8")).digest()
        return base64.b64encode(digest).decode("ascii")

    def encode(self, payload: dict[str, Any]) -> tuple[str, str]:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        return data, self.sign(data)

    def request(self, topup: TopUp) -> dict[str, Any]:
        """The checkout request for ``topup``: the amount in hryvnias with kopiyky, the order
        id, where the payer returns and where LiqPay calls back."""
        return {
            "version": 3, "public_key": self.keys()[0], "action": "pay",
            "amount": f"{topup.amount // 100}.{topup.amount % 100:02d}", "currency": "UAH",
            "description": _("City wallet top-up"), "order_id": str(topup.order_id),
            "result_url": public_url() + reverse("wallet:card-topup" if topup.card_id
                                                 else "wallet:home"),
            "server_url": public_url() + reverse(
                "api:wallet_provider_form_callback", args=[self.code]),
            **({"sandbox": 1} if env_bool("MISTO_WALLET_LIQPAY_SANDBOX") else {}),
        }

    def checkout(self, topup: TopUp) -> str:
        data, signature = self.encode(self.request(topup))
        return f"{CHECKOUT_URL}?{urlencode({'data': data, 'signature': signature})}"

    def parse_callback(self, data: str, signature: str) -> Callback:
        if not hmac.compare_digest(self.sign(data), signature or ""):
            raise WalletError(WalletCode.BAD_SIGNATURE,
                              _("The payment notice's signature does not match."))
        try:
            payload = json.loads(base64.b64decode(data, validate=True))
            order_id = UUID(str(payload["order_id"]))
            amount = Decimal(str(payload["amount"])) * 100
            public_key, currency = str(payload["public_key"]), str(payload["currency"])
            status, payment_id = str(payload["status"]), str(payload.get("payment_id", ""))
        except (binascii.Error, ValueError, KeyError, TypeError, InvalidOperation) as error:
            raise WalletError(WalletCode.INVALID,
                              _("The payment notice cannot be read.")) from error
        if public_key != self.keys()[0] or currency != "UAH" or amount != amount.to_integral():
            raise WalletError(WalletCode.CONFLICT,
                              _("The payment notice is for another merchant, currency or "
                                "amount."))
        return Callback(order_id=order_id, status=self._status(status), amount=int(amount),
                        payment_id=payment_id[:80])

    def _status(self, status: str) -> str:
        if status in PAID or (status == "sandbox" and env_bool("MISTO_WALLET_LIQPAY_SANDBOX")):
            return "success"
        if status in FAILED:
            return "failure"
        return "pending"
