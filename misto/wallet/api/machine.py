"""Machines: a payment provider's signed callback, and validators uploading their taps.

Neither has a person signed in. The provider's callback is authenticated by its signature
over the data (a forged or repeated one changes nothing); a validator by its own key
(``Authorization: Bearer <key>``), issued once when staff register it.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Form, Router
from ninja.security import HttpBearer

from misto.core.schemas import refusals
from misto.wallet import services
from misto.wallet.api.schemas import CallbackIn, CallbackOut, DenyListOut, TapOut, TapsIn
from misto.wallet.models import Validator


class ValidatorKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Validator | None:
        return Validator.objects.filter(key_hash=services.tickets.hash_key(token),
                                        active=True).first()


router = Router(tags=["wallet: machines"])


@router.post("/providers/{provider}/callback",
             response={200: CallbackOut, **refusals(403, 404, 409)},
             summary="A payment provider's server callback (signed; idempotent)")
def callback(request: HttpRequest, provider: str, body: CallbackIn) -> CallbackOut:
    topup = services.handle_callback(provider[:20], body.data, body.signature)
    return CallbackOut(order_id=str(topup.order_id), status=topup.status)


@router.post("/providers/{provider}/form-callback", url_name="wallet_provider_form_callback",
             response={200: CallbackOut, **refusals(403, 404, 409)},
             summary="The same callback form-encoded, as LiqPay and most acquirers send it")
def form_callback(request: HttpRequest, provider: str,
                  body: Form[CallbackIn]) -> CallbackOut:
    topup = services.handle_callback(provider[:20], body.data, body.signature)
    return CallbackOut(order_id=str(topup.order_id), status=topup.status)


@router.post("/validators/taps", auth=ValidatorKey(), response={200: list[TapOut],
                                                                **refusals(401)},
             summary="A validator's upload of taps taken offline (each applied once)")
def taps(request: HttpRequest, body: TapsIn) -> list[TapOut]:
    validator = request.auth  # type: ignore[attr-defined]
    results = services.apply_taps(validator, [services.TapIn(t.tap_id, t.token, t.at,
                                                             t.card or "")
                                              for t in body.taps], pending=body.pending)
    return [TapOut(tap_id=r.tap_id, status=r.status, code=str(r.code), charged_kop=r.charged,
                   basis=r.basis) for r in results]


@router.get("/validators/deny-list", auth=ValidatorKey(),
            response={200: DenyListOut, **refusals(401)},
            summary="The signed list of blocked cards and the fare table a validator holds")
def deny_list(request: HttpRequest) -> DenyListOut:
    document = services.deny_list()
    return DenyListOut(document=document, blocked=services.blocked_cards())
