"""Top-ups through a payment provider.

``PaymentProvider`` is what an acquirer adapter implements: where to send the payer
(``checkout``) and how to read a signed callback (``parse_callback``). Two are shipped:
``LiqPayProvider`` (:mod:`misto.wallet.services.liqpay`, when the city set its keys) and
``DemoProvider``: **a demo, no money moves**. The demo follows LiqPay's shape (a base64 JSON
``data`` and a ``signature`` over it; here HMAC-SHA256 with the city's demo secret). The
callback is idempotent: the top-up's order id is the transfer's key, so a repeated callback
changes nothing, and a callback whose signature does not match is refused before anything
is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.config import env_int, env_str
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.events import TopUpCompleted
from misto.wallet.models import Account, AccountKind, TopUp, TopUpStatus, TransferKind
from misto.wallet.services.accounts import system_account
from misto.wallet.services.journal import Duplicate, Leg, do_transfer
from misto.wallet.services.liqpay import LiqPayProvider
from misto.wallet.services.payment_types import Callback, PaymentProvider

MIN_TOPUP = 100  # 1 UAH


def max_topup() -> int:
    return env_int("MISTO_WALLET_MAX_TOPUP", 500_000, minimum=MIN_TOPUP)


class DemoProvider:
    """DEMO ONLY: a payment page on this site that pays nothing (for the demo and tests)."""

    code = "demo"

    def configured(self) -> bool:
        return True

    def secret(self) -> bytes:
        configured = env_str("MISTO_WALLET_DEMO_SECRET", "")
        if configured:
            return configured.encode()
        return hashlib.sha256(b"misto.wallet.demo:" + settings.SECRET_KEY.encode()).digest()

    def sign(self, data: str) -> str:
        digest = hmac.new(self.secret(), data.encode("ascii"), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    def encode(self, payload: dict[str, Any]) -> tuple[str, str]:
        data = base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode("ascii")
        return data, self.sign(data)

    def checkout(self, topup: TopUp) -> str:
        return reverse("wallet:demo-pay", args=[topup.order_id])

    def parse_callback(self, data: str, signature: str) -> Callback:
        if not hmac.compare_digest(self.sign(data), signature or ""):
            raise WalletError(WalletCode.BAD_SIGNATURE,
                              _("The payment notice's signature does not match."))
        try:
            payload = json.loads(base64.b64decode(data, validate=True))
            return Callback(order_id=UUID(str(payload["order_id"])),
                            status=str(payload["status"]), amount=int(payload["amount"]),
                            payment_id=str(payload["payment_id"])[:80])
        except (binascii.Error, ValueError, KeyError, TypeError) as error:
            raise WalletError(WalletCode.INVALID,
                              _("The payment notice cannot be read.")) from error


PROVIDERS: dict[str, PaymentProvider] = {"demo": DemoProvider(), "liqpay": LiqPayProvider()}


def provider(code: str) -> PaymentProvider:
    """A provider the city has set up (LiqPay needs its keys); else a 404 that says so."""
    found = PROVIDERS.get(code)
    if found is None or not found.configured():
        raise WalletError(WalletCode.NOT_FOUND,
                          _("There is no such payment provider in this city."))
    return found


def default_provider() -> str:
    """The provider residents' top-ups go through: the city's choice, else the demo's."""
    return env_str("MISTO_WALLET_PROVIDER", "demo")


def check_topup_amount(amount: int) -> int:
    if not MIN_TOPUP <= amount <= max_topup():
        raise WalletError(WalletCode.INVALID,
                          _("A top-up is from %(low)s to %(high)s UAH.")
                          % {"low": MIN_TOPUP // 100, "high": max_topup() // 100},
                          field="amount")
    return amount


def do_start_topup(account: Account, amount: int, provider_code: str | None = None) -> TopUp:
    """A pending top-up: nothing is credited until the provider's signed callback."""
    check_topup_amount(amount)
    provider_code = provider_code or default_provider()
    provider(provider_code)
    return TopUp.objects.create(account=account, amount=amount, provider=provider_code)


def handle_callback(provider_code: str, data: str, signature: str) -> TopUp:
    """Apply a provider's callback once: a repeat returns the same top-up unchanged."""
    notice = provider(provider_code).parse_callback(data, signature)
    with transaction.atomic():
        topup = (TopUp.objects.select_for_update().select_related("account")
                 .filter(order_id=notice.order_id, provider=provider_code).first())
        if topup is None:
            raise WalletError(WalletCode.NOT_FOUND, _("There is no such top-up."))
        if topup.status != TopUpStatus.PENDING or notice.status == "pending":
            return topup  # a repeated callback (already settled), or not settled yet
        if notice.status != "success":
            topup.status = TopUpStatus.FAILED
            topup.settled_at = timezone.now()
            topup.save(update_fields=["status", "settled_at"])
            return topup
        if notice.amount != topup.amount:
            raise WalletError(WalletCode.CONFLICT,
                              _("The amount paid differs from the top-up's amount."))
        try:
            transfer = do_transfer(
                TransferKind.TOPUP, f"topup:{topup.order_id}",
                [Leg(system_account(AccountKind.CLEARING), -topup.amount),
                 Leg(topup.account, topup.amount)],
                memo=f"{provider_code} {notice.payment_id}")
        except Duplicate as duplicate:
            transfer = duplicate.transfer
        topup.status = TopUpStatus.PAID
        topup.transfer = transfer
        topup.settled_at = timezone.now()
        topup.save(update_fields=["status", "transfer", "settled_at"])
        bus.publish(TopUpCompleted(amount=topup.amount, provider=provider_code))
    return topup


def demo_pay(topup: TopUp, succeed: bool = True) -> TopUp:
    """What the demo provider's page does when the payer presses Pay: it sends itself the
    same signed callback a real provider would send (through ``handle_callback``)."""
    demo = DemoProvider()
    data, signature = demo.encode({"order_id": str(topup.order_id), "amount": topup.amount,
                                   "status": "success" if succeed else "failure",
                                   "payment_id": f"demo-{topup.order_id.hex[:12]}"})
    return handle_callback(demo.code, data, signature)
