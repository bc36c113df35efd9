"""Sign-in through a real OpenID provider on loopback, matching, verification, TOTP."""

import re
from urllib.parse import urlsplit

import pyotp
import pytest
import requests
from django.test import override_settings

from misto.residents.auth import enrol_totp
from misto.residents.models import ExternalIdentity, Person, PersonChange, StaffTotp

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/cabinet/signin/local/callback"


def form_action(html: str, base: str) -> str:
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, html[:500]
    url = action.group(1).replace("&amp;", "&")
    return url if url.startswith("http") else base + url


def sign_in(client, login: str, start_path: str = "/cabinet/signin/local/") -> "object":
    """Go through the provider's own pages as a browser would; return our callback's answer."""
    start = client.get(start_path)
    assert start.status_code == 302, start.content[:300]
    authorize = start["Location"]
    base = "{0.scheme}://{0.netloc}".format(urlsplit(authorize))
    browser = requests.Session()
    page = browser.get(authorize, timeout=10)
    assert 'name="login"' in page.text
    page = browser.post(form_action(page.text, base), timeout=10,
                        data={"prompt": "login", "login": login, "password": "any"})
    answer = page
    for _step in range(5):  # consent, then redirects back to us
        if page.history and page.history[-1].headers.get("location", "").startswith(CALLBACK):
            break
        answer = browser.post(form_action(page.text, base), data={"prompt": "consent"},
                              allow_redirects=False, timeout=10)
        while answer.status_code in (302, 303) and not answer.headers["location"].startswith(
                CALLBACK):
            answer = browser.get(answer.headers["location"] if answer.headers["location"]
                                 .startswith("http") else base + answer.headers["location"],
                                 allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303):
            break
        page = answer
    location = answer.headers["location"]
    assert location.startswith(CALLBACK), location
    return client.get(location.removeprefix("http://testserver"))


def test_a_resident_is_matched_to_the_register_and_verified(client, oidc_provider,
                                                            make_person):
    person = make_person(1)  # the provider's "olena" carries this RNOKPP and birth date
    assert person.verification == "clerk"
    person.verification = "self"
    person.save()
    with override_settings(MISTO_OIDC_PROVIDERS=oidc_provider(CALLBACK)):
        response = sign_in(client, "olena")
        assert response.status_code == 302 and response["Location"] == "/cabinet/"
        person.refresh_from_db()
        assert person.user is not None and person.verification == "provider"
        assert ExternalIdentity.objects.get().user == person.user
        assert [c.action for c in PersonChange.objects.filter(person=person)] == [
            "created", "linked", "verified"]
        page = client.get("/cabinet/")
        assert page.status_code == 200 and "Олена" in page.content.decode()
        assert '<html lang="uk">' in page.content.decode()
        # A second sign-in finds the same account through the identity.
        client.logout()
        sign_in(client, "olena")
        assert ExternalIdentity.objects.count() == 1
        assert int(client.session["_auth_user_id"]) == person.user_id


def test_someone_not_in_the_register_gets_an_unlinked_account(client, oidc_provider,
                                                              make_person):
    make_person(1)
    with override_settings(MISTO_OIDC_PROVIDERS=oidc_provider(CALLBACK)):
        response = sign_in(client, "stranger")
    assert response.status_code == 302
    user_id = int(client.session["_auth_user_id"])
    assert not Person.objects.filter(user_id=user_id).exists()
    page = client.get("/cabinet/")
    assert page.status_code == 200 and 'id="profile"' not in page.content.decode()


def test_a_wrong_birth_date_does_not_link_the_person(client, oidc_provider, make_person):
    person = make_person(1)
    with override_settings(MISTO_OIDC_PROVIDERS=oidc_provider(CALLBACK)):
        sign_in(client, "impostor")
    person.refresh_from_db()
    assert person.user is None


def test_a_forged_callback_is_refused(client, oidc_provider):
    with override_settings(MISTO_OIDC_PROVIDERS=oidc_provider(CALLBACK)):
        client.get("/cabinet/signin/local/")
        response = client.get("/cabinet/signin/local/callback?code=forged&state=forged")
        assert response.status_code == 400
        assert client.get("/cabinet/signin/nope/").status_code == 404
        response = client.get("/cabinet/signin/local/callback?error=access_denied")
        assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_needs_password_and_a_fresh_totp_code(client, make_user):
    clerk = make_user("clerk", is_staff=True)
    uri = enrol_totp(clerk)
    secret = pyotp.parse_uri(uri).secret
    form = {"username": clerk.username, "password": "pw"}
    assert client.post("/cabinet/signin/", form).status_code == 400  # no code
    assert client.post("/cabinet/signin/", {**form, "totp": "000000"}).status_code == 400
    assert client.post("/cabinet/signin/", {**form, "password": "bad",
                                            "totp": pyotp.TOTP(secret).now()}
                       ).status_code == 400
    code = pyotp.TOTP(secret).now()
    response = client.post("/cabinet/signin/", {**form, "totp": code})
    assert response.status_code == 302
    assert StaffTotp.objects.get(user=clerk).confirmed
    client.logout()
    assert client.post("/cabinet/signin/", {**form, "totp": code}).status_code == 400  # replay
    # Django's own password form cannot be used to skip the code either.
    assert not client.login(username=clerk.username, password="pw")


def test_in_production_staff_without_totp_cannot_sign_in(client, make_user, settings):
    clerk = make_user("clerk")
    resident_like = make_user()
    settings.PRODUCTION = True
    assert not client.login(username=clerk.username, password="pw")
    assert client.login(username=resident_like.username, password="pw")


def test_staff_set_up_their_own_authenticator(client, make_user):
    clerk = make_user("clerk")
    client.force_login(clerk)
    page = client.post("/cabinet/staff/totp/", {"action": "new"})
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = pyotp.parse_uri(client.session["totp_uri"]).secret
    assert client.post("/cabinet/staff/totp/", {"action": "confirm", "totp": "123456"}
                       ).status_code == 400
    response = client.post("/cabinet/staff/totp/", {"action": "confirm",
                                                    "totp": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and StaffTotp.objects.get(user=clerk).confirmed
    # Replacing it needs a current code; a resident has no such page.
    assert client.post("/cabinet/staff/totp/", {"action": "new", "current": "000000"}
                       ).status_code == 400
    assert pyotp.parse_uri(enrol_totp(clerk)).secret != secret
    client.force_login(make_user())
    assert client.get("/cabinet/staff/totp/").status_code == 403
