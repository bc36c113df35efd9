"""Receipts: any transfer of the resident's (top-up, pass, fare, parking or another city
service, correction or refund, a card's balance moved) as a PDF in the reader's language.

A receipt is the resident's own: a transfer with a posting on their account, or on a pupil's
account they manage while the register still gives them the child; another's is the same
404 as none. It names no person (the wallet's account reference only): what moved, when,
the amount for this account and the balance after it. The font is DejaVu Sans (Cyrillic and
the hryvnia sign), embedded (``MISTO_PDF_FONT`` overrides the path).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import residents
from misto.core.pdf import cyrillic_font
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Account, CorrectionRequest, Posting, Transfer, TransferKind
from misto.wallet.templatetags.wallet import uah


@dataclass(frozen=True)
class Receipt:
    transfer: Transfer
    account: Account
    amount: int  # kopiyky for this account: + in, - out
    balance_after: int
    approved_by_second_person: bool


def access_receipt(user: Any, transfer_id: int) -> Receipt:
    """The user's own movement (or their pupil's); anything else is the same 404."""
    found = None
    if getattr(user, "is_authenticated", False):
        children = [child.ref for child in residents.children_of(user)]
        found = (Posting.objects.select_related("transfer", "account")
                 .filter(Q(account__user=user)
                         | Q(account__manager=user, account__holder__in=children),
                         transfer_id=transfer_id).first())
    if found is None:
        raise WalletError(WalletCode.NOT_FOUND, _("There is no such movement in your wallet."))
    after = (Posting.objects.filter(account=found.account, transfer_id__lte=transfer_id)
             .aggregate(s=Sum("amount"))["s"])
    approved = CorrectionRequest.objects.filter(transfer=found.transfer).exists()
    return Receipt(found.transfer, found.account, found.amount, int(after or 0), approved)


def _what(receipt: Receipt) -> str:
    transfer = receipt.transfer
    if transfer.kind == TransferKind.TOPUP and transfer.memo == "cash":
        return _("Top-up in cash at a service desk")
    return str(transfer.get_kind_display()).capitalize()


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def receipt_pdf(receipt: Receipt) -> bytes:
    """An A5 page: the city, the receipt number, what, when, the amount, the balance after."""
    # reportlab is imported when a PDF is made, not with the services: it costs every
    # process ~0.1 s at start-up.
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = cyrillic_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5, invariant=True)
    title = _("Receipt No. %(number)d") % {"number": receipt.transfer.pk}
    pdf.setTitle(title)
    city = str(settings.MISTO_CITY_NAME or _("Misto"))
    pdf.setAuthor(city)
    _width, height = A5
    y = height - 20 * mm
    pdf.setFont(font, 15)
    pdf.drawString(15 * mm, y, title)
    y -= 7 * mm
    pdf.setFont(font, 10)
    pdf.drawString(15 * mm, y, f"{city} — {_('City wallet')}")
    y -= 12 * mm
    rows = [
        (_("Date and time"), _when(receipt.transfer.created_at)),
        (_("What"), _what(receipt)),
        (_("Details"), receipt.transfer.memo or "—"),
        (_("Amount"), uah(receipt.amount)),
        (_("Balance after"), uah(receipt.balance_after)),
        (_("Wallet"), str(receipt.account.public_id)[:8]),
    ]
    if receipt.approved_by_second_person:
        rows.append((_("Approval"), _("approved by a second staff member")))
    for label, value in rows:
        pdf.setFont(font, 8)
        pdf.drawString(15 * mm, y, str(label))
        pdf.setFont(font, 11)
        pdf.drawString(50 * mm, y, str(value)[:70])
        y -= 8 * mm
    y -= 4 * mm
    pdf.setFont(font, 7)
    pdf.drawString(15 * mm, y, _("Issued %(when)s. The wallet's movements are kept as "
                                 "balanced double entries; amounts in hryvnias.")
                   % {"when": _when(timezone.now())})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


__all__ = ["Receipt", "access_receipt", "receipt_pdf"]
