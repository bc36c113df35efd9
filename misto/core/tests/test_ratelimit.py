"""The core's rate-limit helper: rates, identities, the decorator on a Django view and on
a django-ninja handler, and the 429 with Retry-After in each format."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from ninja import NinjaAPI, Router
from ninja.testing import TestClient

from misto.core import ratelimit
from misto.core.ratelimit import Rate, RateLimited


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()
    settings.MISTO_RATE_LIMITS = {"test.view": "2/m", "test.api": "1/h", "test.off": "off"}
    yield settings
    cache.clear()


@pytest.mark.parametrize("text,rate", [("20/10m", Rate(20, 600)), ("5/h", Rate(5, 3600)),
                                       ("1 / 2d", Rate(1, 172800)), ("off", None),
                                       ("0/m", None)])
def test_rates_are_parsed(text, rate):
    assert ratelimit.parse_rate(text) == rate


@pytest.mark.parametrize("text", ["20", "20/week", "x/m", "-1/m"])
def test_a_bad_rate_stops_with_its_text(text):
    with pytest.raises(ImproperlyConfigured, match="20/10m"):
        ratelimit.parse_rate(text)


def test_an_unknown_scope_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match=r"test\.nope"):
        ratelimit.check("test.nope", "a")


def test_check_counts_per_identity_and_says_when_to_retry():
    ratelimit.check("test.view", "a")
    ratelimit.check("test.view", "a")
    ratelimit.check("test.view", "b")
    with pytest.raises(RateLimited) as caught:
        ratelimit.check("test.view", "a")
    assert 1 <= caught.value.retry_after <= 60
    assert str(caught.value.retry_after) in caught.value.reason
    for _attempt in range(10):
        ratelimit.check("test.off", "a")  # "off" never limits


def test_client_address_trusts_only_our_own_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert ratelimit.client_address(request) == "10.0.0.1"
    settings.MISTO_PROXY_COUNT = 1
    assert ratelimit.client_address(request) == "203.0.113.5"
    six = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert ratelimit.client_address(six) == "2001:db8:1:2::/64"


def test_the_decorator_limits_posts_of_a_view_with_an_html_page(db):
    @ratelimit.ratelimit("test.view")
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    factory = RequestFactory()

    def posted(**meta: str) -> HttpRequest:
        request = factory.post("/", **meta)
        request.user = AnonymousUser()  # the page is drawn in the site's layout
        return request

    for _attempt in range(5):
        assert view(factory.get("/")).status_code == 200  # reading is not counted
    assert view(posted()).status_code == 200
    assert view(posted()).status_code == 200
    refused = view(posted())
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    assert view(posted(REMOTE_ADDR="10.9.9.9")).status_code == 200


def test_the_decorator_on_a_ninja_handler_answers_json():
    router = Router()

    @router.post("/things")
    @ratelimit.ratelimit("test.api", respond=ratelimit.json_response)
    def create(request: HttpRequest, name: str) -> dict[str, str]:
        return {"name": name}

    api = NinjaAPI(urls_namespace="ratelimit-test")
    api.add_router("/", router)
    client = TestClient(api)
    assert client.post("/things?name=a").json() == {"name": "a"}
    refused = client.post("/things?name=b")
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited" and refused.json()["detail"]
    assert int(refused["Retry-After"]) > 60
