"""Staff routes: an account by id, corrections with a reason, validators' keys shown once."""

from __future__ import annotations

import json

import pytest

from misto.testing import make_staff
from misto.wallet import services
from misto.wallet.models import Account, Validator

pytestmark = pytest.mark.django_db


def test_a_clerk_asks_with_a_reason_and_nothing_moves_until_approved(account: Account) -> None:
    from django.test import Client

    client = Client()
    client.force_login(make_staff("wallet-clerk", "clerk"))
    path = f"/api/wallet/accounts/{account.pk}/corrections"
    refused = client.post(path, json.dumps({"amount_kop": 500, "reason": ""}),
                          content_type="application/json")
    assert refused.status_code == 422 and services.balance(account) == 0
    answer = client.post(path, json.dumps({"amount_kop": 500, "reason": "подвійне списання"}),
                         content_type="application/json")
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "pending" and body["requested_by"] == "wallet-clerk"
    assert body["transfer"] is None and services.balance(account) == 0
    assert client.get("/api/wallet/accounts/999999").status_code == 404


def test_an_it_admin_registers_a_validator_and_its_key_works(fares: None) -> None:
    from django.test import Client

    client = Client()
    client.force_login(make_staff("wallet-it", "it_admin"))
    answer = client.post("/api/wallet/validators", json.dumps({"code": "tram-7"}),
                         content_type="application/json")
    assert answer.status_code == 201
    key = answer.json()["key"]
    assert Validator.objects.get(code="tram-7").key_hash != key  # stored hashed
    upload = Client().post("/api/wallet/validators/taps", json.dumps({"taps": []}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert upload.status_code == 200 and upload.json() == []
    again = client.post("/api/wallet/validators", json.dumps({"code": "tram-7"}),
                        content_type="application/json")
    assert again.status_code == 409


def test_the_validator_fleet_page(validator: Validator) -> None:
    from django.test import Client

    client = Client()
    client.force_login(make_staff("fleet-it", "it_admin"))
    page = client.get("/wallet/staff/validators/").content.decode()
    assert "bus-demo-1" in page and "ніколи" in page
    clerk = Client()
    clerk.force_login(make_staff("fleet-clerk", "clerk"))
    assert clerk.get("/wallet/staff/validators/").status_code == 403
