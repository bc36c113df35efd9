"""Rows to API shapes."""

from __future__ import annotations

from typing import Any

from misto.core.i18n import localized
from misto.wallet import services
from misto.wallet.api.schemas import AccountOut, MovementOut, PassOut, ProductOut
from misto.wallet.models import Account, Pass, Product, ProductKind


def account_out(account: Account) -> AccountOut:
    return AccountOut(balance_kop=services.balance(account),
                      credit_limit_kop=account.credit_limit)


def movement_out(row: dict[str, Any]) -> MovementOut:
    return MovementOut(id=row["id"], kind=row["kind"], memo=row["memo"],
                       amount_kop=row["amount"], at=row["at"])


def pass_out(bought: Pass) -> PassOut:
    trips = bought.product.kind == ProductKind.TRIPS
    return PassOut(id=bought.pk, product=bought.product.code,
                   title=localized(bought.product, "title"),
                   trips_left=bought.trips_left if trips else None,
                   valid_until=bought.valid_until)


def product_out(product: Product) -> ProductOut:
    return ProductOut(code=product.code, title=localized(product, "title"), kind=product.kind,
                      price_kop=product.price, trips=product.trips, days=product.days)
