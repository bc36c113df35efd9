"""Issue 14, item 1: every action declares its level; a lower level is led up and back."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from misto.residents import levels
from misto.residents.tests.test_identity import sign_in as sign_in_with_provider

pytestmark = pytest.mark.django_db


def basic_client(settings) -> Client:
    """A resident signed in by an e-mail code, through the real flow."""
    settings.EMAIL_BACKEND = "misto.residents.outbox.LocalOutboxEmailBackend"
    client = Client()
    enter = client.post("/cabinet/signin/code/", {"channel": "email",
                                                  "address": "olena@example.com"})["Location"]
    code = re.search(r"\b(\d{6})\b", client.get("/cabinet/dev-outbox/").content.decode())
    assert code
    assert client.post(enter, {"code": code.group(1)}).status_code == 302
    return client


def test_a_basic_resident_is_led_to_verify_and_the_anonymous_too(settings):
    client = basic_client(settings)
    assert client.get("/cabinet/").status_code == 200  # basic is enough for the cabinet
    response = client.get("/cabinet/my-data.json")
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/signin/?level=verified&next=%2Fcabinet%2Fmy-data.json"
    page = client.get(response["Location"]).content.decode()
    assert "needs a verified identity" in page or "потрібна перевірена особа" in page
    assert "/cabinet/signin/code/" not in page  # a code cannot raise the level
    anonymous = Client().get("/cabinet/my-data.json")
    assert anonymous["Location"].startswith("/cabinet/signin/?level=verified")


def test_a_post_below_the_level_goes_back_to_the_page_it_came_from(settings):
    client = basic_client(settings)
    response = client.post("/cabinet/corrections", {"field": "phone", "value": "1"},
                           HTTP_REFERER="http://testserver/cabinet/#privacy")
    assert response.status_code == 302 and "level=verified" in response["Location"]
    assert "next=http%3A%2F%2Ftestserver%2Fcabinet%2F%23privacy" in response["Location"]


def test_the_provider_raises_the_level_and_brings_the_resident_back(client, oidc_provider,
                                                                    make_person, settings):
    make_person(1)  # the provider's "olena"
    settings.MISTO_OIDC_PROVIDERS = oidc_provider("http://testserver/cabinet/signin/local/callback")
    gated = client.get("/cabinet/my-data.json")
    page = client.get(gated["Location"]).content.decode()
    start = re.search(r'href="(/cabinet/signin/local/\?next=[^"]+)"', page)
    assert start and "my-data.json" in start.group(1)
    answer = sign_in_with_provider(client, "olena", start_path=start.group(1).replace("&amp;", "&"))
    assert answer.status_code == 302 and answer["Location"] == "/cabinet/my-data.json"
    assert client.session[levels.SESSION_KEY] == "verified"
    assert client.get("/cabinet/my-data.json").status_code == 200


def test_levels_are_ordered_and_unknown_ones_are_a_programming_error():
    assert levels.RANK[levels.VERIFIED] > levels.RANK[levels.BASIC]
    with pytest.raises(ValueError):
        levels.level_required("gold")


def test_require_level_answers_none_or_the_way_up(make_user):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get("/petitions/7/sign?x=1")
    request.session = SessionStore()
    request.user = AnonymousUser()
    assert levels.require_level(request, "basic")["Location"] == (
        "/cabinet/signin/?level=basic&next=%2Fpetitions%2F7%2Fsign%3Fx%3D1")
    request.user = make_user()
    request.session[levels.SESSION_KEY] = "basic"
    assert levels.require_level(request, "basic") is None
    assert "level=verified" in levels.require_level(request, "verified")["Location"]
    request.session[levels.SESSION_KEY] = "verified"
    assert levels.require_level(request, "verified") is None
