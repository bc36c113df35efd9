"""A pupil's card: the child of the household (as the register says), their own balance and
benefits, managed by the parent; nobody else's child, and not after the register unlinks."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.residents.models import BenefitCategory, HouseholdLink, Person, PersonBenefit
from misto.testing.world import make_resident, signed_in
from misto.wallet import demo, services
from misto.wallet.errors import WalletError
from misto.wallet.models import Account, Ride, Validator
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(rider: Any) -> Person:
    parent = Person.objects.get(user=rider)
    kid = Person.objects.create(last_name="Тестова", first_name="Марійка", patronymic="",
                                birth_date="2014-05-01", district=parent.district)
    HouseholdLink.objects.create(person=parent, member=kid, relation="child")
    category, _new = BenefitCategory.objects.get_or_create(
        code="student", defaults={"title_uk": "Учні", "title_en": "Pupils"})
    PersonBenefit.objects.create(person=kid, category=category, valid_from=date(2020, 1, 1),
                                 valid_until=None, document="довідка школи")
    return kid


def test_a_parent_orders_a_card_and_funds_it_and_the_child_rides_at_their_discount(
        rider: Any, account: Account, child: Person, validator: Validator) -> None:
    top_up(account, 10_000)
    client = signed_in(rider)
    assert client.post("/wallet/cards/", {"action": "order", "child": str(child.uuid)}
                       ).status_code == 303
    pupil = services.access_pupil_account(rider, child.uuid)
    card = pupil.cards.get()
    client.post("/wallet/cards/", {"action": "move", "child": str(child.uuid),
                                   "amount": "40", "request_id": "r1"})
    client.post("/wallet/cards/", {"action": "move", "child": str(child.uuid),
                                   "amount": "40", "request_id": "r1"})  # sent twice: once
    assert (services.balance(account), services.balance(pupil)) == (6_000, 4_000)
    page = client.get("/wallet/cards/").content.decode()
    assert "Марійка" in page and card.masked in page
    answer = Client().post(
        "/api/wallet/validators/taps",
        json.dumps({"taps": [{"tap_id": "kid-1", "card": card.number,
                              "at": timezone.now().isoformat()}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {demo.DEMO_VALIDATOR[1]}").json()
    assert answer[0]["status"] == "applied" and answer[0]["charged_kop"] == 750  # half fare
    assert Ride.objects.get(tap_id="kid-1").account == pupil
    assert services.balance(pupil) == 3_250 and services.balance(account) == 6_000


def test_only_the_registers_children_and_only_while_linked(rider: Any, account: Account,
                                                         child: Person) -> None:
    stranger = Person.objects.create(last_name="Інша", first_name="Дитина", patronymic="",
                                     birth_date="2015-01-01", district=child.district)
    for ref in (stranger.uuid, "not-a-uuid", ""):
        with pytest.raises(WalletError) as refused:
            services.do_issue_pupil_card(rider, ref)
        assert refused.value.status == 404
    card = services.do_issue_pupil_card(rider, child.uuid)
    other_parent = make_resident("other-parent")
    assert signed_in(other_parent).post(f"/api/wallet/account/cards/{card.pk}/block"
                                        ).status_code == 404
    HouseholdLink.objects.filter(member=child).delete()  # the register unlinks them
    assert signed_in(rider).post(f"/api/wallet/account/cards/{card.pk}/block"
                                 ).status_code == 404
    assert not Account.objects.get(pk=card.account_id).cards.filter(
        blocked_at__isnull=False).exists()


def test_moving_money_is_never_on_credit_and_needs_a_sane_amount(rider: Any, account: Account,
                                                                 child: Person) -> None:
    client = signed_in(rider)
    services.do_issue_pupil_card(rider, child.uuid)
    for amount in ("50", "abc", "0", "20000"):
        answer = client.post("/wallet/cards/", {"action": "move", "child": str(child.uuid),
                                                "amount": amount}, follow=True)
        assert answer.status_code == 200
    pupil = services.access_pupil_account(rider, child.uuid)
    assert services.balance(pupil) == 0 and services.balance(account) == 0
