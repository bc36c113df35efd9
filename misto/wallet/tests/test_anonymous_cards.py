"""Anonymous city cards: sold at a desk with their own balance, topped up in cash or through
the gateway by number, charged at validators, registered later by whoever holds the card
(number + sleeve code) with the balance moving to their wallet; never blocked by a resident."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.testing import make_staff
from misto.testing.world import make_resident, signed_in
from misto.wallet import demo, services
from misto.wallet.models import Account, Card, TopUp, Validator

pytestmark = pytest.mark.django_db
VALIDATOR_KEY = f"Bearer {demo.DEMO_VALIDATOR[1]}"


def _desk() -> Client:
    client = Client()
    client.force_login(make_staff("desk-clerk", "clerk"))
    return client


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _sell(client: Client, cash: int = 0) -> dict[str, Any]:
    answer = _post(client, "/api/wallet/desk/cards", {"cash_kop": cash})
    assert answer.status_code == 201, answer.content
    return dict(answer.json())


def test_a_desk_sells_a_card_with_its_own_balance_and_takes_cash(fares: None) -> None:
    desk = _desk()
    sold = _sell(desk, 5000)
    card = Card.objects.select_related("account").get(number=sold["number"])
    assert card.account.anonymous and card.account.user_id is None
    assert sold["balance_kop"] == 5000 == services.balance(card.account)
    assert card.claim_hash and sold["code"] not in card.claim_hash  # the code is kept hashed
    body = {"card": sold["number"], "amount_kop": 2000, "request_id": "desk-req-1"}
    first, again = (_post(desk, "/api/wallet/desk/topups", body) for _ in range(2))
    assert first.status_code == again.status_code == 200
    assert again.json() == {"number": card.masked, "balance_kop": 7000, "anonymous": True}
    assert services.check_book().ok
    events = [e.payload for e in OutboxEvent.objects.filter(name="wallet.TopUpCompleted")
              .order_by("pk")]
    assert events == [{"amount": 5000, "provider": "cash"}, {"amount": 2000, "provider": "cash"}]


def test_desk_refusals(fares: None) -> None:
    desk = _desk()
    assert _post(desk, "/api/wallet/desk/topups", {"card": "9804000000000009", "amount_kop": 100,
                                                   "request_id": "desk-req-2"}).status_code == 404
    resident = signed_in(make_resident("not-a-clerk"))
    assert _post(resident, "/api/wallet/desk/cards", {}).status_code == 403
    sold = _sell(desk)
    too_much = _post(desk, "/api/wallet/desk/topups", {"card": sold["number"],
                                                       "amount_kop": 9_000_000,
                                                       "request_id": "desk-req-3"})
    assert too_much.status_code == 400 and too_much.json()["error"] == "invalid"


def test_anyone_pays_onto_a_card_through_the_gateway_and_a_validator_charges_it(
        validator: Validator) -> None:
    sold = _sell(_desk())
    anyone = Client()
    started = _post(anyone, "/api/wallet/cards/topups", {"card": sold["number"],
                                                         "amount_kop": 3000})
    assert started.status_code == 201
    assert set(started.json()) == {"order_id", "amount_kop", "status", "pay_url"}  # no balance
    page = anyone.get(started.json()["pay_url"])
    assert page.status_code == 200  # the demo checkout opens without a sign-in
    paid = anyone.post(started.json()["pay_url"], {"decision": "pay"})
    assert paid.status_code == 303 and paid["Location"] == "/wallet/card-topup/"
    account = Card.objects.get(number=sold["number"]).account
    assert services.balance(account) == 3000
    at = timezone.now()
    upload = Client().post("/api/wallet/validators/taps", json.dumps({"taps": [
        {"tap_id": "anon-1", "card": sold["number"], "at": at.isoformat()},
        {"tap_id": "anon-2", "card": sold["number"], "at": at.isoformat()},
        {"tap_id": "anon-3", "card": sold["number"], "at": at.isoformat()}]}),
        content_type="application/json", HTTP_AUTHORIZATION=VALIDATOR_KEY).json()
    # the full fare twice; the third ride finds nothing left and no credit (nobody to owe it)
    assert [(t["status"], t["charged_kop"], t["basis"]) for t in upload] == [
        ("applied", 1500, "fare"), ("applied", 1500, "fare"), ("applied", 0, "unpaid")]
    assert services.balance(account) == 0 and services.check_book().ok
    payloads = json.dumps([e.payload for e in OutboxEvent.objects.all()])
    assert sold["number"] not in payloads and str(account.public_id) not in payloads


@pytest.mark.parametrize(("card", "status"), [("1234", 422), ("9804000000000001", 400),
                                               ("9804000000000009", 404)])
def test_a_bad_or_unknown_card_number_is_refused(fares: None, card: str, status: int) -> None:
    answer = _post(Client(), "/api/wallet/cards/topups", {"card": card, "amount_kop": 1000})
    assert answer.status_code == status
    assert not TopUp.objects.exists()


def test_a_resident_registers_the_card_and_its_balance_moves(fares: None) -> None:
    sold = _sell(_desk(), 4000)
    rider = make_resident("card-holder")
    client = signed_in(rider)
    wrong = _post(client, "/api/wallet/account/cards/register",
                  {"number": sold["number"], "code": "00000000" if sold["code"] != "00000000"
                   else "11111111"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "wrong_code"
    card = Card.objects.get(number=sold["number"])
    assert card.claim_failures == 1 and card.account.anonymous
    answer = _post(client, "/api/wallet/account/cards/register",
                   {"number": sold["number"], "code": sold["code"]})
    assert answer.status_code == 201, answer.content
    own = services.access_account(rider)
    card.refresh_from_db()
    assert card.account_id == own.pk and services.balance(own) == 4000
    old = Account.objects.get(anonymous=True)
    assert services.balance(old) == 0 and services.check_book().ok
    assert services.history(own)[0]["kind"] == "card"
    again = _post(signed_in(make_resident("second-claimer")), "/api/wallet/account/cards/register",
                  {"number": sold["number"], "code": sold["code"]})
    assert again.status_code == 409  # registered: it is a person's card now
    # now its owner can block it (a lost registered card)
    blocked = client.post(f"/api/wallet/account/cards/{card.pk}/block")
    assert blocked.status_code == 200


def test_five_wrong_codes_lock_the_registration(fares: None) -> None:
    sold = _sell(_desk(), 1000)
    client = signed_in(make_resident("guesser"))
    wrong = "0" * 8 if sold["code"] != "0" * 8 else "1" * 8
    for _ in range(5):
        assert _post(client, "/api/wallet/account/cards/register",
                     {"number": sold["number"], "code": wrong}).status_code == 403
    locked = _post(client, "/api/wallet/account/cards/register",
                   {"number": sold["number"], "code": sold["code"]})
    assert locked.status_code == 409 and "центру обслуговування" in locked.json()["detail"]
    assert Card.objects.get(number=sold["number"]).account.anonymous


def test_a_resident_cannot_block_an_anonymous_card(fares: None) -> None:
    sold = _sell(_desk(), 1000)
    card = Card.objects.get(number=sold["number"])
    client = signed_in(make_resident("finder"))
    answer = client.post(f"/api/wallet/account/cards/{card.pk}/block")
    assert answer.status_code == 404
    page = client.post("/wallet/cards/", {"action": "block", "card": card.pk})
    assert page.status_code == 303
    card.refresh_from_db()
    assert card.blocked_at is None


def test_the_desk_and_card_pages(fares: None) -> None:
    desk = _desk()
    page = desk.post("/wallet/staff/desk/", {"action": "sell", "cash": "50"})
    assert page.status_code == 200
    number = page.context["sold"].card.number
    assert number in page.content.decode() and page.context["sold"].code in page.content.decode()
    topped = desk.post("/wallet/staff/desk/", {"action": "topup", "card": number,
                                               "amount": "20,50", "request_id": "page-1"},
                       follow=True)
    assert "70,50" in topped.content.decode()
    public = Client().post("/wallet/card-topup/", {"card": number, "amount": "10"})
    assert public.status_code == 303 and "/wallet/demo-pay/" in public["Location"]
    refused = Client().post("/wallet/card-topup/", {"card": "12", "amount": "10"})
    assert refused.status_code == 200 and "16" in refused.content.decode()
    holder = signed_in(make_resident("page-holder"))
    sold = services.do_sell_card(None, 1000)
    registered = holder.post("/wallet/cards/", {"action": "register",
                                                "number": sold.card.number, "code": sold.code},
                             follow=True)
    assert registered.status_code == 200
    assert sold.card.masked in registered.content.decode()
