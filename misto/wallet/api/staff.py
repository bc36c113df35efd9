"""Staff: an account's balance and movements, corrections and refunds with four eyes (one
asks, another approves), the service desk's anonymous cards and cash top-ups, validators."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import DbId, refusals
from misto.wallet import services
from misto.wallet.api.convert import movement_out
from misto.wallet.api.schemas import (
    CardBalanceOut,
    CashTopUpIn,
    CorrectionDecisionIn,
    CorrectionRequestIn,
    SellCardIn,
    SoldCardOut,
    StaffAccountOut,
    ValidatorIn,
    ValidatorOut,
    WalletCorrectionOut,
)
from misto.wallet.models import CorrectionRequest
from misto.wallet.permissions import (
    ACCOUNT_CORRECT,
    ACCOUNT_VIEW,
    CARD_SELL,
    CORRECTION_APPROVE,
    VALIDATOR_MANAGE,
)

router = Router(tags=["wallet: staff"], auth=django_auth)


def _staff_out(account_id: int) -> StaffAccountOut:
    account = services.staff_account(account_id)
    return StaffAccountOut(id=account.pk, balance_kop=services.balance(account),
                           credit_limit_kop=account.credit_limit,
                           movements=[movement_out(r) for r in services.history(account)])


@router.get("/accounts/{account_id}", response={200: StaffAccountOut, **refusals(401, 403, 404)},
            summary="An account's balance and movements (no name: the id only)")
def staff_account(request: HttpRequest, account_id: DbId) -> StaffAccountOut:
    require(request.user, ACCOUNT_VIEW)
    return _staff_out(account_id)


def request_out(found: CorrectionRequest) -> WalletCorrectionOut:
    return WalletCorrectionOut(
        id=found.pk, account=found.account_id, kind=found.kind, amount_kop=found.amount,
        reason=found.reason, status=found.status,
        requested_by=found.requested_by.get_username(), requested_at=found.requested_at,
        decided_by=found.decided_by.get_username() if found.decided_by else None,
        decided_at=found.decided_at, note=found.note, transfer=found.transfer_id)


@router.post("/accounts/{account_id}/corrections",
             response={201: WalletCorrectionOut, **refusals(401, 403, 404)},
             summary="Ask for a correction or refund with its reason; another staff member "
                     "approves it (nothing moves until then)")
def correct(request: HttpRequest, account_id: DbId,
            body: CorrectionRequestIn) -> Status[WalletCorrectionOut]:
    require(request.user, ACCOUNT_CORRECT)
    return Status(201, request_out(services.do_request(
        services.staff_account(account_id), body.amount_kop, body.reason, request.user,
        body.kind)))


@router.get("/corrections", response={200: list[WalletCorrectionOut], **refusals(401, 403)},
            summary="Corrections and refunds waiting for a second person's approval")
def pending_corrections(request: HttpRequest) -> list[WalletCorrectionOut]:
    require(request.user, CORRECTION_APPROVE)
    return [request_out(found) for found in services.pending_requests()]


@router.post("/corrections/{request_id}/approve",
             response={200: WalletCorrectionOut, **refusals(401, 403, 404, 409)},
             summary="Approve another's correction or refund: posts the balanced transfer "
                     "(its author cannot: 409 same_person)")
def approve_correction(request: HttpRequest, request_id: DbId,
                       body: CorrectionDecisionIn) -> WalletCorrectionOut:
    require(request.user, CORRECTION_APPROVE)
    return request_out(services.do_approve(request.user, request_id, body.note))


@router.post("/corrections/{request_id}/reject",
             response={200: WalletCorrectionOut, **refusals(401, 403, 404, 409)},
             summary="Reject another's correction or refund (nothing moves)")
def reject_correction(request: HttpRequest, request_id: DbId,
                      body: CorrectionDecisionIn) -> WalletCorrectionOut:
    require(request.user, CORRECTION_APPROVE)
    return request_out(services.do_reject(request.user, request_id, body.note))


@router.post("/desk/cards", response={201: SoldCardOut, **refusals(401, 403)},
             summary="Sell an anonymous city card with its own balance (and its first cash "
                     "top-up); the registration code is shown once")
def sell_card(request: HttpRequest, body: SellCardIn) -> Status[SoldCardOut]:
    require(request.user, CARD_SELL)
    sold = services.do_sell_card(request.user, body.cash_kop)
    return Status(201, SoldCardOut(number=sold.card.number, code=sold.code,
                                   balance_kop=sold.balance))


@router.post("/desk/topups", response={200: CardBalanceOut, **refusals(401, 403, 404, 409)},
             summary="Cash paid at a service desk onto a city card (once per request_id)")
def cash_topup(request: HttpRequest, body: CashTopUpIn) -> CardBalanceOut:
    require(request.user, CARD_SELL)
    card = services.card_in_use(body.card)
    left = services.do_cash_topup(request.user, card, body.amount_kop, body.request_id)
    anonymous = card.account.anonymous
    return CardBalanceOut(number=card.masked, balance_kop=left if anonymous else None,
                          anonymous=anonymous)


@router.post("/validators", response={201: ValidatorOut, **refusals(401, 403, 409)},
             summary="Register a validator; its upload key is shown once")
def register_validator(request: HttpRequest, body: ValidatorIn) -> Status[ValidatorOut]:
    require(request.user, VALIDATOR_MANAGE)
    validator, key = services.do_register_validator(body.code, device=body.device)
    return Status(201, ValidatorOut(code=validator.code, key=key))
