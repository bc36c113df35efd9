"""Anyone: the fares, the passes on sale, the public keys validators check tokens with, and
paying money onto a city card by its number (the answer says nothing about the card)."""

from __future__ import annotations

import base64

from django.http import HttpRequest
from ninja import Router, Status

from misto.core.schemas import refusals
from misto.wallet import services
from misto.wallet.api.convert import product_out
from misto.wallet.api.schemas import CardTopUpIn, FaresOut, TopUpOut, WalletKeyOut
from misto.wallet.models import BenefitRule

router = Router(tags=["wallet: public"])


@router.get("/fares", response={200: FaresOut, **refusals(404)},
            summary="The fare, the day and week caps, benefit discounts and passes on sale")
def fares(request: HttpRequest) -> FaresOut:
    table = services.fare_table()
    return FaresOut(single_fare_kop=table.single_fare, daily_cap_kop=table.daily_cap,
                    weekly_cap_kop=table.weekly_cap,
                    discounts={rule.category: rule.discount_percent
                               for rule in BenefitRule.objects.order_by("category")},
                    products=[product_out(p) for p in services.products()])


@router.get("/keys", response={200: list[WalletKeyOut], **refusals()},
            summary="The public keys a validator verifies ride tokens with, offline")
def keys(request: HttpRequest) -> list[WalletKeyOut]:
    return [WalletKeyOut(key_id=kid, public_key=base64.b64encode(raw).decode("ascii"))
            for kid, raw in services.public_keys().items()]


@router.post("/cards/topups", response={201: TopUpOut, **refusals(404, 409)},
             summary="Pay money onto a city card by its number through the payment gateway "
                     "(an anonymous card's own balance, or its holder's wallet)")
def card_topup(request: HttpRequest, body: CardTopUpIn) -> Status[TopUpOut]:
    card = services.card_in_use(body.card)
    started = services.do_start_card_topup(card, body.amount_kop, body.provider)
    return Status(201, TopUpOut(order_id=str(started.order_id), amount_kop=started.amount,
                                status=started.status,
                                pay_url=services.provider(started.provider).checkout(started)))
