"""Uploads applied set-wise: the same charges as one tap at a time in tap-time order, each tap
and token once, the credit floor and trip passes counted across the batch, the book balanced."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from misto.residents.models import BenefitCategory, Person, PersonBenefit
from misto.testing.world import make_resident
from misto.wallet import offline, services
from misto.wallet.models import Account, Pass, Posting, Ride, Validator
from misto.wallet.services.keys import signing_keys
from misto.wallet.tests.conftest import kyiv, top_up

pytestmark = pytest.mark.django_db


def tap(account: Account, tap_id: str, at: Any, token_id: str | None = None) -> services.TapIn:
    token = offline.sign(signing_keys()[0], str(account.public_id), token_id or tap_id,
                         int(at.timestamp()) + 600)
    return services.TapIn(tap_id, token, at)


def test_duplicates_and_replays_inside_one_upload(account: Account,
                                                  validator: Validator) -> None:
    top_up(account, 10_000)
    at = kyiv(2026, 12, 1, 8)
    results = services.apply_taps(validator, [
        tap(account, "d-1", at), tap(account, "d-1", at),  # the same tap sent twice
        tap(account, "d-2", at + timedelta(minutes=5), token_id="shared"),
        tap(account, "d-3", at + timedelta(minutes=9), token_id="shared"),  # a copied QR
    ])
    assert [(r.tap_id, r.status, str(r.code)) for r in results] == [
        ("d-1", "applied", ""), ("d-1", "duplicate", ""), ("d-2", "applied", ""),
        ("d-3", "refused", "token_replayed")]
    assert Ride.objects.count() == 2 and services.balance(account) == 10_000 - 3000


def test_the_credit_floor_counts_the_earlier_taps_of_the_same_upload(
        account: Account, validator: Validator) -> None:
    account.credit_limit = 2000
    account.save()
    top_up(account, 2000)
    results = services.apply_taps(validator, [tap(account, f"c-{h}", kyiv(2026, 12, 1, h))
                                              for h in (9, 8, 10)])
    assert [(r.tap_id, r.basis, r.charged) for r in results] == [
        ("c-9", "fare", 1500), ("c-8", "fare", 1500), ("c-10", "unpaid", 0)]
    assert services.balance(account) == -1000


def test_a_trip_pass_runs_out_inside_one_upload(account: Account,
                                                validator: Validator) -> None:
    top_up(account, 20_000)
    bought = services.do_buy_pass(account, services.check_product("trips-10"), "req")
    results = services.apply_taps(validator, [tap(account, f"p-{n}", bought.valid_from
                                                  + timedelta(seconds=1 + n))
                                              for n in range(12)])
    assert [r.basis for r in results] == ["pass"] * 10 + ["fare", "fare"]
    bought.refresh_from_db()
    assert bought.trips_left == 0


def test_a_benefit_counts_on_its_days_in_one_upload(account: Account, rider: Any,
                                                    validator: Validator) -> None:
    category, _new = BenefitCategory.objects.get_or_create(
        code="pensioner", defaults={"title_uk": "p", "title_en": "p"})
    PersonBenefit.objects.create(person=Person.objects.get(user=rider), category=category,
                                 valid_from=date(2020, 1, 1), valid_until=date(2026, 12, 1),
                                 document="test")
    top_up(account, 10_000)
    results = services.apply_taps(validator, [tap(account, "b-2", kyiv(2026, 12, 2, 0, 0)),
                                              tap(account, "b-1", kyiv(2026, 12, 1, 23, 59))])
    assert [(r.basis, r.charged) for r in results] == [("fare", 1500), ("benefit", 0)]


def test_random_late_uploads_charge_as_one_tap_at_a_time(fares: None,
                                                         validator: Validator) -> None:
    """The same rides, uploaded shuffled in random batches with repeats, cost each rider what
    applying them one at a time in tap-time order costs a twin rider; the book balances and
    no day costs more than the day cap."""
    rng = random.Random(2020)
    riders = [services.access_account(make_resident(f"batch-{i}")) for i in range(4)]
    twins = [services.access_account(make_resident(f"one-{i}")) for i in range(4)]
    for rider, twin in zip(riders, twins, strict=True):
        amount = rng.choice([3000, 20_000, 100_000])
        top_up(rider, amount)
        top_up(twin, amount)
    for index in (1, 3):  # a trip pass for two of them and their twins
        for account in (riders[index], twins[index]):
            services.do_buy_pass(account, services.check_product("trips-10"), "r")
    moments = []
    now = timezone.now()
    for n in range(160):
        moments.append((rng.randrange(4), now - timedelta(minutes=rng.randrange(3 * 24 * 60)),
                        n))
    taps = [tap(riders[who], f"r{n}", at) for who, at, n in moments]
    rng.shuffle(taps)
    uploaded = 0
    while uploaded < len(taps):
        size = rng.randint(1, 40)
        batch = taps[uploaded:uploaded + size]
        batch += rng.sample(taps[:uploaded + size], min(3, uploaded + size))  # retried taps
        services.apply_taps(validator, batch)
        uploaded += size
    for who, at, n in sorted(moments, key=lambda m: (m[1], f"t{m[2]}")):
        services.apply_taps(validator, [tap(twins[who], f"t{n}", at)])
    for rider, twin in zip(riders, twins, strict=True):
        assert services.balance(rider) == services.balance(twin)
        assert Ride.objects.filter(account=rider).count() == \
            Ride.objects.filter(account=twin).count()
        days = Ride.objects.filter(account=rider).values_list("at", "charged")
        per_day: dict[date, int] = {}
        for at, charged in days:
            local = timezone.localtime(at).date()
            per_day[local] = per_day.get(local, 0) + charged
        assert max(per_day.values()) <= 4500
    assert [p.trips_left for p in Pass.objects.filter(account__in=riders).order_by("pk")] == \
        [p.trips_left for p in Pass.objects.filter(account__in=twins).order_by("pk")]
    assert Ride.objects.filter(account__in=riders).count() == 160
    assert Posting.objects.aggregate(s=Sum("amount"))["s"] == 0
    assert services.check_book().ok


def test_staff_link_a_validator_to_its_device_once(fares: None) -> None:
    import json

    from django.test import Client

    from misto.testing import make_staff

    client = Client()
    client.force_login(make_staff("link-it", "it_admin"))

    def register(code: str, device: str) -> Any:
        return client.post("/api/wallet/validators", json.dumps({"code": code,
                                                                 "device": device}),
                           content_type="application/json")

    assert register("bus-8", "val-0008").status_code == 201
    assert Validator.objects.get(code="bus-8").device == "val-0008"
    again = register("bus-9", "val-0008")
    assert again.status_code == 409 and "пристрою" in again.json()["detail"]
    assert register("bus-10", "bad device id!").status_code in (400, 422)
    assert not Validator.objects.filter(code__in=["bus-9", "bus-10"]).exists()


def test_an_upload_records_its_channel_and_what_the_validator_still_holds(
        account: Account, validator: Validator) -> None:
    import json

    from django.test import Client

    from misto.wallet import demo

    top_up(account, 5000)
    body = {"taps": [{"tap_id": "h-0001", "at": timezone.now().isoformat(),
                      "token": tap(account, "h-0001", timezone.now()).token}], "pending": 7}
    answer = Client().post("/api/wallet/validators/taps", json.dumps(body),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {demo.DEMO_VALIDATOR[1]}")
    assert answer.status_code == 200 and answer.json()[0]["status"] == "applied"
    validator.refresh_from_db()
    assert (validator.last_channel, validator.pending_taps) == ("http", 7)
    body["pending"] = -1
    assert Client().post("/api/wallet/validators/taps", json.dumps(body),
                         content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {demo.DEMO_VALIDATOR[1]}"
                         ).status_code in (400, 422)
