"""The resident's wallet pages, in Ukrainian and English, and the demo top-up flow."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from misto.testing.world import signed_in
from misto.wallet import services
from misto.wallet.models import Account, TopUp

pytestmark = pytest.mark.django_db


def test_top_up_through_the_demo_provider_then_buy_a_pass(rider: Any) -> None:
    client = signed_in(rider)
    answer = client.post("/wallet/topup/", {"amount": "150,50"})
    assert answer.status_code == 303
    topup = TopUp.objects.get()
    assert topup.amount == 15_050 and answer["Location"].endswith(f"/{topup.order_id}/")
    page = client.get(answer["Location"]).content.decode()
    assert "ДЕМО-провайдер" in page  # the demo provider says so, in Ukrainian first
    assert client.post(answer["Location"], {"decision": "pay"}).status_code == 303
    account = Account.objects.get(user=rider)
    assert services.balance(account) == 15_050
    assert client.post(answer["Location"], {"decision": "pay"}).status_code == 200  # no twice
    assert services.balance(account) == 15_050
    bought = client.post("/wallet/passes/", {"product": "trips-10", "request_id": "a" * 12})
    assert bought.status_code == 303
    again = client.post("/wallet/passes/", {"product": "trips-10", "request_id": "a" * 12})
    assert again.status_code == 303
    assert services.balance(account) == 2050
    home = client.get("/wallet/").content.decode()
    assert "20,50" in home and "10 поїздок" in home


@pytest.mark.parametrize("amount", ["", "abc", "-5", "1.234", "0,5"])
def test_a_bad_amount_is_a_message_not_an_error(rider: Any, amount: str) -> None:
    answer = signed_in(rider).post("/wallet/topup/", {"amount": amount})
    assert answer.status_code == 200 and not TopUp.objects.exists()


def test_someone_elses_payment_page_is_missing(rider: Any, account: Account) -> None:
    from misto.testing.world import make_resident

    topup = services.do_start_topup(account, 1000)
    other = signed_in(make_resident("other"))
    assert other.get(f"/wallet/demo-pay/{topup.order_id}/").status_code == 404
    assert other.post(f"/wallet/demo-pay/{topup.order_id}/",
                      {"decision": "pay"}).status_code == 404
    assert services.balance(account) == 0


@pytest.mark.parametrize(("language", "words"), [("uk", ["Мій гаманець", "Баланс"]),
                                                  ("en", ["My wallet", "Balance"])])
def test_pages_in_both_languages(rider: Any, account: Account, language: str,
                                 words: list[str]) -> None:
    client = signed_in(rider)
    client.cookies["django_language"] = language
    for url in ("/wallet/", "/wallet/topup/", "/wallet/passes/", "/wallet/ticket/",
                "/wallet/fares/"):
        answer = client.get(url)
        assert answer.status_code == 200, url
    page = client.get("/wallet/").content.decode()
    assert all(word in page for word in words)


def test_the_ticket_page_shows_a_qr_and_is_not_cached(rider: Any, account: Account) -> None:
    from misto.wallet.tests.conftest import top_up

    top_up(account, 2000)
    answer = signed_in(rider).get("/wallet/ticket/")
    assert "<svg" in answer.content.decode() and answer["Cache-Control"] == "no-store"


def test_no_wallet_without_a_register_entry_and_sign_in_needed(fares: None) -> None:
    from django.contrib.auth import get_user_model

    assert Client().get("/wallet/").status_code == 302
    nobody = signed_in(get_user_model().objects.create_user("login-only"))
    assert nobody.get("/wallet/").status_code == 404
    assert Client().get("/wallet/fares/").status_code == 200


def test_my_benefits_from_the_register_and_the_cabinet_panel(rider: Any,
                                                             account: Account) -> None:
    from datetime import date

    from misto.residents.models import BenefitCategory, Person, PersonBenefit

    client = signed_in(rider)
    assert "не має для вас пільги на проїзд" in client.get("/wallet/").content.decode()
    category, _new = BenefitCategory.objects.get_or_create(
        code="pensioner", defaults={"title_uk": "Пенсіонер", "title_en": "Pensioner"})
    PersonBenefit.objects.create(person=Person.objects.get(user=rider), category=category,
                                 valid_from=date(2020, 1, 1), document="test")
    page = client.get("/wallet/").content.decode()
    assert "Пенсіонери: проїзд безкоштовний" in page
    cabinet = client.get("/cabinet/").content.decode()
    assert "Мій гаманець" in cabinet and "0,00" in cabinet
