"""Anyone: the fares, the passes on sale, and the public keys validators check tokens with."""

from __future__ import annotations

import base64

from django.http import HttpRequest
from ninja import Router

from misto.core.schemas import refusals
from misto.wallet import services
from misto.wallet.api.convert import product_out
from misto.wallet.api.schemas import FaresOut, WalletKeyOut
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
