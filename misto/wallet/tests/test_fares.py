"""Fares and capping: a day (week) of rides never costs more than its cap; benefits from the
register count on the days they are valid; passes."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

import pytest

from misto.residents.models import BenefitCategory, Person, PersonBenefit
from misto.wallet import offline, services
from misto.wallet.models import Account, Ride, Validator
from misto.wallet.services.keys import signing_keys
from misto.wallet.tests.conftest import kyiv, top_up

pytestmark = pytest.mark.django_db


def ride(validator: Validator, account: Account, at: datetime) -> services.TapResult:
    token = offline.sign(signing_keys()[0], str(account.public_id), secrets.token_hex(8),
                         int(at.timestamp()) + 600)
    return services.apply_taps(validator, [services.TapIn(secrets.token_hex(8), token, at)])[0]


def charged_between(account: Account, start: datetime, end: datetime) -> int:
    return sum(Ride.objects.filter(account=account, at__gte=start, at__lt=end)
               .values_list("charged", flat=True))


def test_a_day_never_costs_more_than_the_day_cap(account: Account, validator: Validator) -> None:
    top_up(account, 50_000)
    charges = [ride(validator, account, kyiv(2026, 12, 1, 7 + i)).charged for i in range(6)]
    assert charges == [1500, 1500, 1500, 0, 0, 0]
    assert services.balance(account) == 50_000 - 4500


def test_a_cap_reached_part_way_charges_only_the_rest(account: Account,
                                                      validator: Validator) -> None:
    from misto.wallet.models import FareTable

    FareTable.objects.update(daily_cap=4000)  # not a multiple of the fare
    top_up(account, 50_000)
    results = [ride(validator, account, kyiv(2026, 12, 1, 8 + i)) for i in range(4)]
    assert [r.charged for r in results] == [1500, 1500, 1000, 0]
    assert [r.basis for r in results] == ["fare", "fare", "capped", "capped"]


def test_midnight_starts_a_new_day(account: Account, validator: Validator) -> None:
    top_up(account, 50_000)
    for minute in (0, 10, 20, 30):
        ride(validator, account, kyiv(2026, 12, 1, 23, minute))
    after = ride(validator, account, kyiv(2026, 12, 2, 0, 0))
    assert after.charged == 1500
    assert charged_between(account, kyiv(2026, 12, 1), kyiv(2026, 12, 2)) == 4500


def test_a_week_never_costs_more_than_the_week_cap(account: Account,
                                                   validator: Validator) -> None:
    top_up(account, 100_000)
    for day in range(16, 23):  # Monday 16 to Sunday 22 November 2026
        for hour in (8, 12, 17, 20):
            ride(validator, account, kyiv(2026, 11, day, hour))
    week = charged_between(account, kyiv(2026, 11, 16), kyiv(2026, 11, 23))
    assert week == 18_000  # 7 days x 45 UAH would be 315 UAH
    assert ride(validator, account, kyiv(2026, 11, 23, 9)).charged == 1500  # a new week


def test_taps_uploaded_late_and_out_of_order_still_respect_the_cap(
        account: Account, validator: Validator) -> None:
    top_up(account, 50_000)
    taps = []
    for hour in (20, 9, 15, 11, 7):
        at = kyiv(2026, 12, 3, hour)
        token = offline.sign(signing_keys()[0], str(account.public_id), f"t{hour}",
                             int(at.timestamp()) + 600)
        taps.append(services.TapIn(f"late-{hour}", token, at))
    results = services.apply_taps(validator, taps)
    by_id = {r.tap_id: r.charged for r in results}
    # Applied in tap-time order: the three earliest pay.
    assert by_id == {"late-7": 1500, "late-9": 1500, "late-11": 1500, "late-15": 0,
                     "late-20": 0}


def _benefit(user: Any, code: str, until: date | None) -> None:
    category, _new = BenefitCategory.objects.get_or_create(
        code=code, defaults={"title_uk": code, "title_en": code})
    PersonBenefit.objects.create(person=Person.objects.get(user=user), category=category,
                                 valid_from=date(2020, 1, 1), valid_until=until,
                                 document="test")


def test_a_benefit_expiring_today_stops_at_midnight(account: Account, rider: Any,
                                                   validator: Validator) -> None:
    _benefit(rider, "pensioner", date(2026, 12, 1))
    top_up(account, 10_000)
    last_minute = ride(validator, account, kyiv(2026, 12, 1, 23, 59))
    next_day = ride(validator, account, kyiv(2026, 12, 2, 0, 0))
    assert (last_minute.basis, last_minute.charged) == ("benefit", 0)
    assert (next_day.basis, next_day.charged) == ("fare", 1500)


def test_a_half_price_benefit_halves_the_fare_and_the_caps(account: Account, rider: Any,
                                                            validator: Validator) -> None:
    _benefit(rider, "student", None)
    top_up(account, 10_000)
    charges = [ride(validator, account, kyiv(2026, 12, 1, 8 + i)).charged for i in range(4)]
    assert charges == [750, 750, 750, 0]


def test_a_trip_pass_is_used_only_when_the_ride_would_cost(account: Account,
                                                         validator: Validator) -> None:
    top_up(account, 20_000)
    bought = services.do_buy_pass(account, services.check_product("trips-10"), "req-1")
    assert services.balance(account) == 20_000 - 13_000
    from django.utils import timezone

    for _ride in range(5):  # valid from the purchase: rides right after it
        result = ride(validator, account, timezone.now())
        assert (result.basis, result.charged) == ("pass", 0)
    bought.refresh_from_db()
    assert bought.trips_left == 5  # all five rides on the pass: no cap reached with 0 paid


def test_a_pass_bought_twice_with_one_request_id_is_bought_once(account: Account) -> None:
    top_up(account, 20_000)
    product = services.check_product("trips-10")
    services.do_buy_pass(account, product, "same")
    with pytest.raises(services.Duplicate):
        services.do_buy_pass(account, product, "same")
    assert services.balance(account) == 7000


def test_a_period_pass_rides_free_and_is_never_bought_on_credit(account: Account,
                                                               validator: Validator) -> None:
    from misto.wallet.errors import WalletError

    account.credit_limit = 100_000
    account.save()
    with pytest.raises(WalletError):
        services.do_buy_pass(account, services.check_product("month"), "r1")
    top_up(account, 60_000)
    services.do_buy_pass(account, services.check_product("month"), "r2")
    from django.utils import timezone

    result = ride(validator, account, timezone.now())
    assert (result.basis, result.charged) == ("pass", 0)
