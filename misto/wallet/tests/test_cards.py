"""City cards: numbers with a check digit, block and replace, the signed deny-list a
validator holds offline, and card taps uploaded later (blocked before the tap: refused)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.testing.world import make_resident, signed_in
from misto.wallet import demo, offline, services
from misto.wallet.errors import WalletError
from misto.wallet.models import Account, Card, Ride, Validator
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db
VALIDATOR_KEY = f"Bearer {demo.DEMO_VALIDATOR[1]}"


def upload(taps: list[dict[str, Any]]) -> Any:
    return Client().post("/api/wallet/validators/taps", json.dumps({"taps": taps}),
                         content_type="application/json", HTTP_AUTHORIZATION=VALIDATOR_KEY)


def tap(card: Card | str, tap_id: str, at: Any) -> dict[str, str]:
    return {"tap_id": tap_id, "card": card if isinstance(card, str) else card.number,
            "at": at.isoformat()}


@pytest.mark.parametrize("text", ["9804 1234 5678 9012", "980412345678901", "98041234567890AB",
                                  "", None, "9804123456789013 "])
def test_a_card_number_needs_16_digits_and_its_check_digit(text: Any) -> None:
    with pytest.raises(WalletError) as refused:
        services.check_card_number(text)
    assert refused.value.field == "number" and refused.value.status == 400


def test_issued_numbers_pass_their_own_check(account: Account) -> None:
    card = services.do_issue_card(account)
    spaced = " ".join(card.number[i:i + 4] for i in range(0, 16, 4))
    assert services.check_card_number(spaced) == card.number
    assert card.number.startswith("9804") and card.masked.endswith(card.number[-4:])


def test_resident_orders_blocks_and_replaces_a_card(rider: Any, account: Account) -> None:
    client = signed_in(rider)
    first = client.post("/api/wallet/account/cards")
    second = client.post("/api/wallet/account/cards")
    assert first.status_code == second.status_code == 201
    assert client.post("/api/wallet/account/cards").status_code == 409  # two in use at most
    card_id = first.json()["id"]
    number = Card.objects.get(pk=card_id).number
    assert number not in json.dumps(client.get("/api/wallet/account/cards").json())  # masked
    replaced = client.post(f"/api/wallet/account/cards/{card_id}/replace")
    assert replaced.status_code == 201
    old = Card.objects.get(pk=card_id)
    assert old.blocked_at is not None and old.replaced_by_id == replaced.json()["id"]
    assert client.post(f"/api/wallet/account/cards/{card_id}/replace").status_code == 409
    listed = client.get("/api/wallet/account/cards").json()
    assert [row["blocked_at"] is None for row in listed] == [True, True, False]


def test_another_residents_card_is_the_same_404_as_none(rider: Any, account: Account) -> None:
    other = services.access_account(make_resident("other-rider"))
    theirs = services.do_issue_card(other)
    client = signed_in(rider)
    for card_id in (theirs.pk, 999_999):
        answer = client.post(f"/api/wallet/account/cards/{card_id}/block")
        assert answer.status_code == 404 and answer.json()["error"] == "unknown_card"
    assert Card.objects.get(pk=theirs.pk).blocked_at is None


def test_card_taps_pay_from_the_wallet_and_a_block_counts_from_its_moment(
        account: Account, validator: Validator) -> None:
    top_up(account, 10_000)
    card = services.do_issue_card(account)
    before = timezone.now() - timedelta(minutes=30)
    services.do_block_card(card)
    after = timezone.now() + timedelta(seconds=1)
    answer = upload([tap(card, "c-before", before), tap(card, "c-after", after),
                     tap("9804000000000000", "c-unknown", after)])
    assert [(r["status"], r["code"]) for r in answer.json()] == [
        ("applied", ""), ("refused", "card_blocked"), ("refused", "unknown_card")]
    ride = Ride.objects.get(tap_id="c-before")
    assert ride.card == card and ride.charged == 1500 and ride.token_id is None
    assert services.balance(account) == 10_000 - 1500
    again = upload([tap(card, "c-before", before)]).json()[0]
    assert again["status"] == "duplicate" and services.balance(account) == 8_500


def test_a_tap_names_a_token_or_a_card(validator: Validator) -> None:
    now = timezone.now().isoformat()
    for body in ({"tap_id": "both", "token": "v1.x.y", "card": "9804000000000000", "at": now},
                 {"tap_id": "none", "at": now}):
        assert upload([body]).status_code in (400, 422)
    assert not Ride.objects.exists()


def test_the_deny_list_is_signed_and_carries_only_digests(account: Account,
                                                         validator: Validator) -> None:
    lost, kept = services.do_issue_card(account), services.do_issue_card(account)
    services.do_block_card(lost)
    assert Client().get("/api/wallet/validators/deny-list").status_code == 401
    answer = Client().get("/api/wallet/validators/deny-list", HTTP_AUTHORIZATION=VALIDATOR_KEY)
    assert answer.status_code == 200 and answer.json()["blocked"] == 1
    document = answer.json()["document"]
    keys = {k["key_id"]: base64.b64decode(k["public_key"])
            for k in Client().get("/api/wallet/keys").json()}
    content = offline.verify_document(document, keys)  # what the validator runs, offline
    assert content["deny"] == [services.cards.digest(lost.number)]
    assert services.cards.digest(kept.number) not in content["deny"]
    assert lost.number not in document and content["fares"] == {
        "single": 1500, "daily_cap": 4500, "weekly_cap": 18000}
    head, payload, signature = document.split(".")
    with pytest.raises(offline.TokenRefused):
        offline.verify_document(f"{head}.{payload[:-3]}AAA.{signature}", keys)


def test_the_cards_page_orders_blocks_and_replaces(rider: Any, account: Account) -> None:
    client = signed_in(rider)
    assert client.post("/wallet/cards/", {"action": "order"}).status_code == 303
    card = Card.objects.get(account=account)
    page = client.get("/wallet/cards/").content.decode()
    assert card.masked in page and card.number not in page
    for bad in ({"action": "block", "card": "x"}, {"action": "block", "card": "999999"},
                {"action": "melt", "card": str(card.pk)}):
        assert client.post("/wallet/cards/", bad, follow=True).status_code == 200
    card.refresh_from_db()
    assert card.blocked_at is None  # nothing changed
    client.post("/wallet/cards/", {"action": "replace", "card": str(card.pk)})
    card.refresh_from_db()
    assert card.blocked_at is not None and card.replaced_by is not None
    page = client.get("/wallet/cards/").content.decode()
    assert card.replaced_by.masked in page
