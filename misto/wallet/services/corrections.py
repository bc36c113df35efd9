"""Staff corrections and refunds, with four eyes.

A staff member asks (``do_request``: the account, the amount, the reason); a *different* staff
member holding ``wallet.correction.approve`` approves or rejects it (the same person is
refused, 409 ``same_person``). Only the approval posts the balanced transfer with the city's
corrections account (``do_correct``), keyed by the request so a repeated approval posts once;
both people, the reason and the decision are kept on the request. Never an edit of a posting.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import (
    Account,
    AccountKind,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    Transfer,
    TransferKind,
)
from misto.wallet.services.accounts import system_account
from misto.wallet.services.journal import Leg, do_transfer

MAX_CORRECTION = 1_000_000  # 10 000 UAH


def check_correction(amount: int, reason: str, kind: str = CorrectionKind.CORRECTION
                     ) -> tuple[int, str, CorrectionKind]:
    reason = (reason or "").strip()
    if not reason:
        raise WalletError(WalletCode.INVALID, _("Give the reason for the correction."),
                          field="reason")
    if amount == 0 or abs(amount) > MAX_CORRECTION:
        raise WalletError(WalletCode.INVALID,
                          _("A correction is a non-zero amount up to 10 000 UAH."),
                          field="amount")
    if kind not in CorrectionKind.values:
        raise WalletError(WalletCode.INVALID, _("A correction or a refund."), field="kind")
    if kind == CorrectionKind.REFUND and amount < 0:
        raise WalletError(WalletCode.INVALID, _("A refund gives money back: a positive amount."),
                          field="amount")
    return amount, reason[:200], CorrectionKind(kind)


def do_correct(account: Account, amount: int, reason: str, by: Any, *,
               key: str | None = None) -> Transfer:
    """Post a correction (the approved request's, or a test's) as one balanced transfer."""
    amount, reason, _kind = check_correction(amount, reason)
    return do_transfer(TransferKind.CORRECTION, key or f"correction:{uuid.uuid4()}",
                       [Leg(account, amount),
                        Leg(system_account(AccountKind.CORRECTIONS), -amount)],
                       memo=reason, by=by)


def do_request(account: Account, amount: int, reason: str, by: Any,
               kind: str = CorrectionKind.CORRECTION) -> CorrectionRequest:
    """A correction or refund waiting for a second person; nothing moves yet."""
    amount, reason, checked = check_correction(amount, reason, kind)
    return CorrectionRequest.objects.create(account=account, amount=amount, reason=reason,
                                            kind=checked, requested_by=by)


def access_request(request_id: int, *, for_update: bool = False) -> CorrectionRequest:
    rows = CorrectionRequest.objects.select_related("account", "requested_by")
    if for_update:  # the request's row only (the joined ones are read, not changed)
        rows = rows.select_for_update(of=("self",))
    found = rows.filter(pk=request_id).first()
    if found is None:
        raise WalletError(WalletCode.NOT_FOUND, _("There is no such correction request."))
    return found


def pending_requests() -> list[CorrectionRequest]:
    return list(CorrectionRequest.objects.filter(status=CorrectionStatus.PENDING)
                .select_related("requested_by").order_by("requested_at", "pk"))


def recent_decisions(limit: int = 20) -> list[CorrectionRequest]:
    return list(CorrectionRequest.objects.exclude(status=CorrectionStatus.PENDING)
                .select_related("requested_by", "decided_by")
                .order_by("-decided_at", "-pk")[:limit])


def check_decision(user: Any, found: CorrectionRequest) -> CorrectionRequest:
    if found.status != CorrectionStatus.PENDING:
        raise WalletError(WalletCode.NOT_PENDING,
                          _("This request has been decided already."))
    if found.requested_by_id == getattr(user, "pk", None):
        raise WalletError(WalletCode.SAME_PERSON,
                          _("Another staff member must decide a correction you asked for."))
    return found


def do_approve(user: Any, request_id: int, note: str = "") -> CorrectionRequest:
    """Approve and post the transfer (once); refused for its own author or a decided one."""
    with transaction.atomic():
        found = check_decision(user, access_request(request_id, for_update=True))
        found.transfer = do_correct(found.account, found.amount, found.reason, user,
                                    key=f"correction:request:{found.pk}")
        _decide(found, user, CorrectionStatus.APPROVED, note)
    return found


def do_reject(user: Any, request_id: int, note: str = "") -> CorrectionRequest:
    with transaction.atomic():
        found = check_decision(user, access_request(request_id, for_update=True))
        _decide(found, user, CorrectionStatus.REJECTED, note)
    return found


def _decide(found: CorrectionRequest, user: Any, status: CorrectionStatus, note: str) -> None:
    found.status = status
    found.decided_by = user
    found.decided_at = timezone.now()
    found.note = (note or "").strip()[:200]
    found.save(update_fields=["status", "decided_by", "decided_at", "note", "transfer"])
