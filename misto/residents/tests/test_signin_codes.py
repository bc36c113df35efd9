"""Issue 14, item 1: sign-in by a one-time code by e-mail or SMS, levels, the local outbox."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from misto.residents import codes
from misto.residents.models import ExternalIdentity, LocalMessage, SignInCode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_outbox(settings):
    """Mail and SMS to the local outbox, as on a fresh checkout (pytest swaps in locmem)."""
    settings.EMAIL_BACKEND = "misto.residents.outbox.LocalOutboxEmailBackend"
    settings.MISTO_NOTIFY_GATEWAY_SMS = None
    settings.PRODUCTION = False


def ask(client: Client, channel: str, address: str, next_url: str = "") -> Any:
    return client.post("/cabinet/signin/code/", {"channel": channel, "address": address,
                                                 "next": next_url})


def code_in_outbox(client: Client, address: str) -> str:
    page = client.get("/cabinet/dev-outbox/").content.decode()
    assert address in page
    found = re.search(r"\b(\d{6})\b", page)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize(("channel", "typed", "address"), [
    ("email", " Olena@Example.COM ", "olena@example.com"),
    ("sms", "067 123-45-67", "+380671234567"),
])
def test_the_whole_code_flow_through_the_local_outbox(channel, typed, address):
    client = Client()
    page = client.get("/cabinet/signin/").content.decode()
    assert "/cabinet/signin/code/" in page and "/cabinet/dev-outbox/" in page
    response = ask(client, channel, typed, next_url="/cabinet/")
    assert response.status_code == 302
    enter = response["Location"]
    code = code_in_outbox(client, address)
    # Nothing in the database can give the code back, nor whose address it was.
    row = SignInCode.objects.get()
    assert code not in row.code_hash and address not in row.address_index
    response = client.post(enter, {"code": code, "next": "/cabinet/"})
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert client.session["_misto_level"] == "basic"
    assert client.session["_misto_method"] == f"code:{channel}"
    first_user = int(client.session["_auth_user_id"])
    # The same contact later gets the same account.
    client.logout()
    enter = ask(client, channel, typed)["Location"]
    client.post(enter, {"code": code_in_outbox(client, address)})
    assert int(client.session["_auth_user_id"]) == first_user
    assert ExternalIdentity.objects.filter(provider=channel).count() == 1


def test_a_wrong_code_is_refused_and_too_many_wrong_codes_spend_it():
    client = Client()
    enter = ask(client, "email", "a@example.com")["Location"]
    code = code_in_outbox(client, "a@example.com")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(enter, {"code": wrong})
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    for _try in range(codes.MAX_TRIES - 1):
        client.post(enter, {"code": wrong})
    response = client.post(enter, {"code": code})
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()


def test_an_expired_code_is_refused():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    enter = ask(client, "email", "a@example.com")["Location"]
    code = code_in_outbox(client, "a@example.com")
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(enter, {"code": code})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert "_auth_user_id" not in client.session and not ExternalIdentity.objects.exists()


def test_a_used_code_cannot_sign_in_again():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    enter = ask(client, "sms", "+380671234567")["Location"]
    code = code_in_outbox(client, "+380671234567")
    assert client.post(enter, {"code": code}).status_code == 302
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = other.post(enter, {"code": code})
    assert response.status_code == 400 and "already used" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_the_sixth_request_in_ten_minutes_is_refused_with_a_reason():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _request in range(5):
        assert ask(client, "email", "a@example.com").status_code == 302
    response = ask(client, "email", "a@example.com")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many codes" in response.content.decode()
    assert LocalMessage.objects.count() == 5 and SignInCode.objects.count() == 5
    # Another address from another client is still served...
    assert ask(Client(REMOTE_ADDR="198.51.100.7"), "email", "b@example.com").status_code == 302
    # ...and ten minutes later the first one is too.
    with mock.patch("django.utils.timezone.now",
                    return_value=timezone.now() + timedelta(minutes=10, seconds=1)):
        assert ask(client, "email", "a@example.com").status_code == 302


def test_one_client_cannot_spray_codes_over_many_addresses():
    client = Client(REMOTE_ADDR="203.0.113.50", HTTP_ACCEPT_LANGUAGE="en")
    for number in range(codes.PER_CLIENT.limit):
        assert ask(client, "email", f"x{number}@example.com").status_code == 302
    response = ask(client, "email", "last@example.com")
    assert response.status_code == 429 and "Too many codes" in response.content.decode()


def test_codes_are_compared_in_constant_time():
    client = Client()
    enter = ask(client, "email", "a@example.com")["Location"]
    code = code_in_outbox(client, "a@example.com")
    with mock.patch("misto.residents.codes.hmac.compare_digest",
                    wraps=hmac.compare_digest) as compare:
        assert client.post(enter, {"code": code}).status_code == 302
    compare.assert_called_once()


@pytest.mark.parametrize("address", ["not-an-address", "12345", ""])
def test_a_bad_address_gets_a_reason_and_sends_nothing(address):
    response = ask(Client(), "sms" if address.isdigit() else "email", address)
    assert response.status_code == 400 and not LocalMessage.objects.exists()
    assert not SignInCode.objects.exists()


def test_a_failing_gateway_gives_a_clear_answer_and_keeps_no_code(settings):
    settings.MISTO_NOTIFY_GATEWAY_SMS = "misto.residents.tests.test_signin_codes.BrokenGateway"
    response = ask(Client(HTTP_ACCEPT_LANGUAGE="en"), "sms", "+380671234567")
    assert response.status_code == 503 and "could not be sent" in response.content.decode()
    assert not SignInCode.objects.exists()


class BrokenGateway:
    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, address: str, text: str) -> str:
        raise ConnectionError("provider down")


def test_the_local_outbox_does_not_exist_in_production(settings):
    settings.PRODUCTION = True
    assert Client().get("/cabinet/dev-outbox/").status_code == 404
    assert "/cabinet/dev-outbox/" not in Client().get("/cabinet/signin/").content.decode()
