"""Staff: an account's balance and movements, corrections with a reason, validators."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import DbId, refusals
from misto.wallet import services
from misto.wallet.api.convert import movement_out
from misto.wallet.api.schemas import StaffAccountOut, ValidatorIn, ValidatorOut, WalletCorrectionIn
from misto.wallet.permissions import ACCOUNT_CORRECT, ACCOUNT_VIEW, VALIDATOR_MANAGE

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


@router.post("/accounts/{account_id}/corrections",
             response={201: StaffAccountOut, **refusals(401, 403, 404, 409)},
             summary="Post a correction or refund with its reason (a balanced transfer)")
def correct(request: HttpRequest, account_id: DbId,
            body: WalletCorrectionIn) -> Status[StaffAccountOut]:
    require(request.user, ACCOUNT_CORRECT)
    services.do_correct(services.staff_account(account_id), body.amount_kop, body.reason,
                        request.user)
    return Status(201, _staff_out(account_id))


@router.post("/validators", response={201: ValidatorOut, **refusals(401, 403, 409)},
             summary="Register a validator; its upload key is shown once")
def register_validator(request: HttpRequest, body: ValidatorIn) -> Status[ValidatorOut]:
    require(request.user, VALIDATOR_MANAGE)
    validator, key = services.do_register_validator(body.code, device=body.device)
    return Status(201, ValidatorOut(code=validator.code, key=key))
