"""The wallet as the core's ``Payer`` (misto.core.payments): another module's service (a
parking session) charged to the resident's account, once per key, never on credit."""

from __future__ import annotations

from django.utils.translation import gettext as _

from misto.core.payments import Charge, PaymentCode, PaymentRefused
from misto.wallet.errors import WalletError
from misto.wallet.models import AccountKind, Posting, TransferKind
from misto.wallet.services.accounts import access_account, system_account
from misto.wallet.services.journal import Duplicate, Leg, do_transfer


class WalletPayer:
    def charge(self, charge: Charge) -> str:
        try:
            account = access_account(charge.user)
            transfer = do_transfer(
                TransferKind.SERVICE, f"charge:{charge.purpose}:{charge.key}"[:120],
                [Leg(account, -charge.amount),
                 Leg(system_account(AccountKind.SERVICES), charge.amount)],
                memo=f"{charge.purpose} {charge.memo}".strip())
        except Duplicate as duplicate:
            charged = -sum(p.amount for p in Posting.objects.filter(
                transfer=duplicate.transfer, account__user=charge.user))
            if charged != charge.amount:
                raise PaymentRefused(PaymentCode.REFUSED, _(
                    "This charge was already made with another amount.")) from None
            transfer = duplicate.transfer
        except WalletError as error:
            raise PaymentRefused(PaymentCode.REFUSED, error.message) from error
        return f"wallet:{transfer.pk}"

    def refund(self, refund: Charge) -> str:
        """Give back up to what was charged under the same key (a cancelled booking): a
        balanced transfer from the services account, once per key."""
        charged = -sum(p.amount for p in Posting.objects.filter(
            transfer__key=f"charge:{refund.purpose}:{refund.key}"[:120],
            account__user=refund.user))
        if refund.amount > charged:
            raise PaymentRefused(PaymentCode.REFUSED, _(
                "Nothing this large was charged under this key to give back."))
        try:
            transfer = do_transfer(
                TransferKind.SERVICE, f"refund:{refund.purpose}:{refund.key}"[:120],
                [Leg(system_account(AccountKind.SERVICES), -refund.amount),
                 Leg(access_account(refund.user), refund.amount)],
                memo=f"{refund.purpose} {refund.memo}".strip())
        except Duplicate as duplicate:
            transfer = duplicate.transfer
        return f"wallet:{transfer.pk}"
