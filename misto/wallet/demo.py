"""The wallet's part of the demo city: fares, caps, benefit discounts, passes, a validator.

Prices are the demo city's, not a real city's: 15 UAH a ride, capped at 45 UAH a day and
180 UAH a week; pensioners and people with disabilities ride free, students for half.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from misto.wallet.models import BenefitRule, FareTable, Product, ProductKind, Validator
from misto.wallet.services.tickets import hash_key

PRODUCTS = [
    ("trips-10", "10 поїздок", "10 trips", ProductKind.TRIPS, 13_000, 10, 60),
    ("month", "Проїзний на 30 днів", "30-day pass", ProductKind.PERIOD, 60_000, 0, 30),
]
BENEFITS = [
    ("pensioner", "Пенсіонери", "Pensioners", 100),
    ("disability", "Особи з інвалідністю", "People with disabilities", 100),
    ("student", "Студенти", "Students", 50),
]
# The demo validator's key is public on purpose (docs/wallet.md): it is a demo.
DEMO_VALIDATOR = ("bus-demo-1", "demo-validator-key")


def load(stdout: IO[str] | Any) -> None:
    with transaction.atomic():
        FareTable.objects.get_or_create(code="standard", defaults={
            "single_fare": 1500, "daily_cap": 4500, "weekly_cap": 18_000})
        for code, title_uk, title_en, kind, price, trips, days in PRODUCTS:
            Product.objects.get_or_create(code=code, defaults={
                "title_uk": title_uk, "title_en": title_en, "kind": kind, "price": price,
                "trips": trips, "days": days})
        for category, title_uk, title_en, percent in BENEFITS:
            BenefitRule.objects.get_or_create(category=category, defaults={
                "title_uk": title_uk, "title_en": title_en, "discount_percent": percent})
        Validator.objects.get_or_create(code=DEMO_VALIDATOR[0],
                                        defaults={"key_hash": hash_key(DEMO_VALIDATOR[1])})
    stdout.write(f"wallet: fares, {len(PRODUCTS)} passes, validator {DEMO_VALIDATOR[0]} "
                 f"(key {DEMO_VALIDATOR[1]!r})\n")
