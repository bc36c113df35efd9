"""Issue 13, High 2: one password form, throttled per (user, client address), growing locks."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.utils import timezone

from misto.residents import throttle
from misto.residents.auth import enrol_totp
from misto.residents.models import Throttle

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"


def fail(client: Client, username: str, times: int = 5) -> None:
    for _attempt in range(times):
        response = client.post("/cabinet/signin/", {"username": username, "password": "wrong"})
        assert response.status_code in (400, 429)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_django_and_admin_login_forms_lead_to_the_one_throttled_sign_in(make_user):
    clerk = make_user("clerk", is_staff=True)
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, clerk.username)
    form = {"username": clerk.username, "password": "pw"}
    for path in ("/accounts/login/", "/admin/login/"):
        response = client.post(f"{path}?next=/admin/", form)
        assert response.status_code == 302
        assert response["Location"] == "/cabinet/signin/?next=/admin/"
        assert not signed_in(client)
        assert "password" not in client.get(path, follow=False).content.decode()
    # The redirect's target still refuses the locked pair, with a clear message.
    response = client.post("/cabinet/signin/?next=/admin/", form)
    assert response.status_code == 429 and not signed_in(client)
    assert int(response["Retry-After"]) > 0


def test_a_safe_next_survives_the_redirect_and_a_foreign_one_is_dropped(make_user):
    clerk = make_user("clerk", is_staff=True)
    client = Client()
    page = client.get("/admin/login/?next=/admin/", follow=True)
    assert 'name="next" value="/admin/"' in page.content.decode()
    response = client.post(page.redirect_chain[-1][0],
                           {"username": clerk.username, "password": "pw", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    client.logout()
    page = client.get("/accounts/login/?next=https://evil.example/", follow=True)
    assert 'name="next" value=""' in page.content.decode()


def test_failures_from_one_address_do_not_lock_the_user_out_elsewhere(make_user):
    clerk = make_user("clerk", is_staff=True)
    fail(Client(REMOTE_ADDR=ATTACKER), clerk.username, times=8)
    office = Client(REMOTE_ADDR=OFFICE)
    response = office.post("/cabinet/signin/", {"username": clerk.username, "password": "pw"})
    assert response.status_code == 302 and signed_in(office)


def test_the_lock_grows_with_each_further_failure(make_user):
    clerk = make_user("clerk")
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, clerk.username, times=4)
    waits = []
    for _round in range(5):
        # The fifth failure sets the first lock; once it runs out, the next one doubles it.
        response = client.post("/cabinet/signin/", {"username": clerk.username,
                                                    "password": "wrong"})
        assert response.status_code == 429
        waits.append(int(response["Retry-After"]))
        Throttle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    Throttle.objects.update(locked_until=timezone.now() + timedelta(seconds=30))
    assert waits[0] <= 60
    assert all(later > 1.8 * earlier for earlier, later in pairwise(waits)), waits
    # Even the right password waits out the lock; afterwards it works and clears the count.
    assert client.post("/cabinet/signin/", {"username": clerk.username, "password": "pw"}
                       ).status_code == 429
    Throttle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert client.post("/cabinet/signin/", {"username": clerk.username, "password": "pw"}
                       ).status_code == 302
    assert Throttle.objects.count() == 1  # the pair is cleared; the address's tally stays


def test_hammering_a_locked_pair_does_not_lengthen_the_lock(make_user):
    clerk = make_user("clerk")
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, clerk.username, times=5)
    before = list(Throttle.objects.values_list("key", "count", "locked_until"))
    fail(client, clerk.username, times=20)
    assert list(Throttle.objects.values_list("key", "count", "locked_until")) == before


def test_the_throttle_stores_no_user_name_or_address(make_user):
    clerk = make_user("clerk")
    fail(Client(REMOTE_ADDR=ATTACKER), clerk.username, times=2)
    for row in Throttle.objects.all():
        assert clerk.username not in row.key and ATTACKER not in row.key
        assert len(row.key) == 64


def test_one_address_spraying_many_user_names_is_locked_but_not_the_users(make_user):
    victims = [make_user() for _user in range(3)]
    sprayer = Client(REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en")
    for number in range(throttle.SIGNIN_CLIENT.limit):
        response = sprayer.post("/cabinet/signin/", {"username": f"guess{number}",
                                                     "password": "wrong"})
        assert response.status_code in (400, 429)
    response = sprayer.post("/cabinet/signin/", {"username": victims[0].username,
                                                 "password": "pw"})
    assert response.status_code == 429 and not signed_in(sprayer)
    for victim in victims:
        office = Client(REMOTE_ADDR=OFFICE)
        assert office.post("/cabinet/signin/", {"username": victim.username, "password": "pw"}
                           ).status_code == 302


def test_successful_sign_ins_do_not_count_against_a_busy_office(make_user):
    office = Client(REMOTE_ADDR=OFFICE)
    for _clerk in range(throttle.SIGNIN_CLIENT.limit + 5):
        user = make_user()
        assert office.post("/cabinet/signin/", {"username": user.username, "password": "pw"}
                           ).status_code == 302
        office.logout()


def test_any_caller_of_authenticate_is_throttled(make_user):
    clerk = make_user("clerk")
    fail(Client(REMOTE_ADDR=ATTACKER), clerk.username)
    request = RequestFactory().post("/anywhere", REMOTE_ADDR=ATTACKER)
    assert authenticate(request, username=clerk.username, password="pw") is None
    request = RequestFactory().post("/anywhere", REMOTE_ADDR=OFFICE)
    assert authenticate(request, username=clerk.username, password="pw") == clerk


def test_the_totp_code_is_throttled_too(make_user):
    clerk = make_user("clerk", is_staff=True)
    secret = pyotp.parse_uri(enrol_totp(clerk)).secret
    client = Client(REMOTE_ADDR=ATTACKER)
    for code in ("000000", "111111", "222222", "333333", "444444"):
        client.post("/cabinet/signin/", {"username": clerk.username, "password": "pw",
                                         "totp": code})
    response = client.post("/cabinet/signin/", {"username": clerk.username, "password": "pw",
                                                "totp": pyotp.TOTP(secret).now()})
    assert response.status_code == 429 and not signed_in(client)


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Забагато невдалих спроб з цього пристрою"),
    ("en", "Too many failed attempts from this device"),
])
def test_the_lock_out_message_is_clear_in_both_languages(make_user, language, text):
    clerk = make_user("clerk")
    client = Client(REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE=language)
    fail(client, clerk.username)
    response = client.post("/cabinet/signin/", {"username": clerk.username, "password": "pw"})
    assert response.status_code == 429
    assert text in response.content.decode()
