"""Ride tokens and validators: checked offline, each tap and each token applied once."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.utils import timezone

from misto.testing.world import signed_in
from misto.wallet import demo, offline, services
from misto.wallet.models import Account, Ride, Validator
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db
VALIDATOR_KEY = f"Bearer {demo.DEMO_VALIDATOR[1]}"


def _keys_from_api() -> dict[str, bytes]:
    """What a validator downloads once, then uses offline."""
    return {k["key_id"]: base64.b64decode(k["public_key"])
            for k in Client().get("/api/wallet/keys").json()}


def _upload(taps: list[dict[str, Any]]) -> Any:
    return Client().post("/api/wallet/validators/taps", json.dumps({"taps": taps}),
                         content_type="application/json", HTTP_AUTHORIZATION=VALIDATOR_KEY)


def test_the_token_is_checked_offline_with_the_public_key(rider: Any, account: Account) -> None:
    top_up(account, 5000)
    answer = signed_in(rider).post("/api/wallet/account/tokens")
    assert answer.status_code == 201
    token = answer.json()["token"]
    keys = _keys_from_api()
    claims = offline.verify(token, keys, int(time.time()))
    assert claims.account == str(account.public_id)
    with pytest.raises(offline.TokenRefused) as expired:
        offline.verify(token, keys, claims.expires + 1)
    assert expired.value.reason == "expired"
    forged = offline.sign(Ed25519PrivateKey.generate(), claims.account, "x", claims.expires)
    with pytest.raises(offline.TokenRefused):
        offline.verify(forged, keys, int(time.time()))
    head, payload, signature = token.split(".")
    with pytest.raises(offline.TokenRefused) as tampered:
        offline.verify(f"{head}.{payload[:-2]}AA.{signature}", keys, int(time.time()))
    assert tampered.value.reason in ("signature", "malformed")


def test_an_upload_applies_each_tap_once_and_each_token_once(rider: Any, account: Account,
                                                             validator: Validator) -> None:
    top_up(account, 5000)
    token = signed_in(rider).post("/api/wallet/account/tokens").json()["token"]
    now = timezone.now().isoformat()
    first = _upload([{"tap_id": "v1-0001", "token": token, "at": now}])
    assert first.status_code == 200
    assert first.json()[0] | {"status": "applied", "charged_kop": 1500} == first.json()[0]
    again = _upload([{"tap_id": "v1-0001", "token": token, "at": now}])
    assert again.json()[0]["status"] == "duplicate"
    replay = _upload([{"tap_id": "v2-0001", "token": token, "at": now}])
    assert replay.json()[0] | {"status": "refused", "code": "token_replayed"} == \
        replay.json()[0]
    assert services.balance(account) == 3500 and Ride.objects.count() == 1


def test_bad_tokens_and_unknown_validators_change_nothing(rider: Any, account: Account,
                                                          validator: Validator) -> None:
    top_up(account, 5000)
    token = signed_in(rider).post("/api/wallet/account/tokens").json()["token"]
    late = (timezone.now() + timedelta(hours=1)).isoformat()
    results = _upload([
        {"tap_id": "bad-1", "token": "v1.garbage.sig", "at": timezone.now().isoformat()},
        {"tap_id": "bad-2", "token": token, "at": late},  # after expiry (and in the future)
        {"tap_id": "bad-3", "token": token, "at": "2026-12-01T10:00:00"},  # no offset
    ]).json()
    assert [r["status"] for r in results] == ["refused", "refused", "refused"]
    assert results[0]["code"] == "bad_token"
    assert Client().post("/api/wallet/validators/taps", json.dumps({"taps": []}),
                         content_type="application/json",
                         HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert services.balance(account) == 5000 and not Ride.objects.exists()


def test_an_expired_token_is_refused_when_the_tap_came_after_expiry(
        account: Account, validator: Validator) -> None:
    top_up(account, 5000)
    at = timezone.now() - timedelta(hours=2)
    token = offline.sign(services.keys.signing_keys()[0], str(account.public_id), "old",
                         int(at.timestamp()) - 1)
    result = services.apply_taps(validator, [services.TapIn("old-1", token, at)])[0]
    assert (result.status, result.code) == ("refused", "token_expired")


def test_no_token_when_the_balance_is_below_the_credit_floor(rider: Any,
                                                             account: Account) -> None:
    account.credit_limit = 0
    account.save()
    answer = signed_in(rider).post("/api/wallet/account/tokens")
    assert answer.status_code == 409 and answer.json()["error"] == "insufficient_funds"


def test_a_ride_beyond_the_credit_limit_is_recorded_unpaid(account: Account,
                                                          validator: Validator) -> None:
    account.credit_limit = 1000
    account.save()
    at = timezone.now()
    token = offline.sign(services.keys.signing_keys()[0], str(account.public_id), "u1",
                         int(at.timestamp()) + 60)
    result = services.apply_taps(validator, [services.TapIn("u-1", token, at)])[0]
    assert (result.status, result.basis, result.charged) == ("applied", "unpaid", 0)
    assert services.balance(account) == 0
