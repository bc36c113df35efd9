"""Issue 14, item 1: passkeys, checked by the ``webauthn`` library with a software authenticator.

The authenticator below does what a phone does (a P-256 key, "none" attestation, signed
assertions over authenticator data + the hash of the client data), so the server-side
checks run for real: origin, RP ID, challenge, signature and counter.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from webauthn.helpers import bytes_to_base64url

from misto.residents import levels
from misto.residents.models import Passkey

pytestmark = pytest.mark.django_db
ORIGIN = "http://localhost:8000"
RP_ID = "localhost"


@pytest.fixture(autouse=True)
def relying_party(settings):
    settings.MISTO_WEBAUTHN_RP_ID = RP_ID
    settings.MISTO_WEBAUTHN_ORIGINS = [ORIGIN]


class SoftAuthenticator:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.counter = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _auth_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        self.counter += 1
        return (hashlib.sha256(rp_id.encode()).digest() + bytes([flags])
                + struct.pack(">I", self.counter) + attested)

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any], origin: str = ORIGIN) -> str:
        attested = (bytes(16) + struct.pack(">H", len(self.credential_id))
                    + self.credential_id + self._cose_key())
        auth_data = self._auth_data(options["rp"]["id"], 0x45, attested)  # UP, UV, AT
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        raw_id = bytes_to_base64url(self.credential_id)
        return json.dumps({"id": raw_id, "rawId": raw_id, "type": "public-key",
                           "clientExtensionResults": {}, "response": {
                               "clientDataJSON": bytes_to_base64url(client_data),
                               "attestationObject": bytes_to_base64url(attestation),
                               "transports": ["internal"]}})

    def get(self, options: dict[str, Any], origin: str = ORIGIN, rp_id: str = RP_ID) -> str:
        auth_data = self._auth_data(rp_id, 0x05)  # UP, UV
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        raw_id = bytes_to_base64url(self.credential_id)
        return json.dumps({"id": raw_id, "rawId": raw_id, "type": "public-key",
                           "clientExtensionResults": {}, "response": {
                               "clientDataJSON": bytes_to_base64url(client_data),
                               "authenticatorData": bytes_to_base64url(auth_data),
                               "signature": bytes_to_base64url(signature)}})


def post_json(client: Client, url: str, body: str = "") -> Any:
    return client.post(url, body, content_type="application/json")


def register(client: Client, phone: SoftAuthenticator) -> Any:
    options = post_json(client, "/cabinet/passkeys/options").json()
    assert options["rp"]["id"] == RP_ID
    assert options["authenticatorSelection"]["residentKey"] == "required"
    return post_json(client, "/cabinet/passkeys/", phone.create(options))


def sign_in(client: Client, phone: SoftAuthenticator, **where: str) -> Any:
    options = post_json(client, "/cabinet/signin/passkey/options").json()
    return post_json(client, "/cabinet/signin/passkey/?next=/cabinet/%23passkeys",
                     phone.get(options, **where))


def signed_in_at(make_user: Any, level: str) -> tuple[Client, Any]:
    user = make_user()
    client = Client()
    client.force_login(user)
    session = client.session
    session[levels.SESSION_KEY] = level
    session.save()
    return client, user


@pytest.mark.parametrize("level", ["basic", "verified"])
def test_a_resident_registers_a_passkey_and_signs_in_with_it_at_that_level(make_user, level):
    client, user = signed_in_at(make_user, level)
    phone = SoftAuthenticator()
    response = register(client, phone)
    assert response.status_code == 201, response.content
    key = Passkey.objects.get()
    assert key.user == user and key.level == level
    assert "#passkeys" in client.get("/cabinet/").content.decode()
    returning = Client()
    response = sign_in(returning, phone)
    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": "/cabinet/#passkeys"}
    assert int(returning.session["_auth_user_id"]) == user.pk
    assert returning.session[levels.SESSION_KEY] == level
    assert returning.session["_misto_method"] == "passkey"
    assert Passkey.objects.get().sign_count == 2


@pytest.mark.parametrize("where", [
    {"origin": "https://evil.example"}, {"origin": "http://localhost:9999"},
    {"rp_id": "evil.example"},
], ids=["other-site", "other-port", "other-rp-id"])
def test_an_assertion_from_another_origin_or_site_is_refused(make_user, where):
    client, _user = signed_in_at(make_user, "verified")
    phone = SoftAuthenticator()
    assert register(client, phone).status_code == 201
    stranger = Client()
    response = sign_in(stranger, phone, **where)
    assert response.status_code == 400 and response.json()["error"]
    assert "_auth_user_id" not in stranger.session


def test_a_registration_made_on_another_origin_is_refused(make_user):
    client, _user = signed_in_at(make_user, "basic")
    options = post_json(client, "/cabinet/passkeys/options").json()
    response = post_json(client, "/cabinet/passkeys/",
                         SoftAuthenticator().create(options, origin="https://evil.example"))
    assert response.status_code == 400 and not Passkey.objects.exists()


def test_a_replayed_assertion_and_a_spent_challenge_are_refused(make_user):
    client, _user = signed_in_at(make_user, "basic")
    phone = SoftAuthenticator()
    register(client, phone)
    browser = Client()
    options = post_json(browser, "/cabinet/signin/passkey/options").json()
    assertion = phone.get(options)
    assert post_json(browser, "/cabinet/signin/passkey/", assertion).status_code == 200
    other = Client()
    post_json(other, "/cabinet/signin/passkey/options")
    assert post_json(other, "/cabinet/signin/passkey/", assertion).status_code == 400
    # The challenge was spent with the first answer: the same browser cannot reuse it.
    browser.logout()
    assert post_json(browser, "/cabinet/signin/passkey/", assertion).status_code == 400


def test_a_passkey_of_someone_else_cannot_be_removed_and_garbage_is_refused(make_user):
    client, _user = signed_in_at(make_user, "basic")
    register(client, SoftAuthenticator())
    intruder, _other = signed_in_at(make_user, "basic")
    key = Passkey.objects.get()
    assert intruder.post(f"/cabinet/passkeys/{key.pk}/remove").status_code == 404
    assert client.post(f"/cabinet/passkeys/{key.pk}/remove").status_code == 302
    assert not Passkey.objects.exists()
    assert post_json(Client(), "/cabinet/signin/passkey/", "{not json").status_code == 400
    assert post_json(Client(), "/cabinet/signin/passkey/").status_code == 400
    assert Client().post("/cabinet/passkeys/options").status_code == 302  # sign in first
