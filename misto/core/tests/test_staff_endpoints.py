"""Who may read the platform's own operational data: dead letters and metrics."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from misto.core.models import StaffAssignment

pytestmark = pytest.mark.django_db

TOKEN = "scrape-" + "s" * 40


def client_of(role: str | None) -> Client:
    """A signed-in client holding ``role`` (none: a plain resident), never ``is_staff``."""
    user = get_user_model().objects.create_user(f"{role or 'resident'}-user", password="pw")
    if role:
        StaffAssignment.objects.create(user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_dead_letters_api_has_a_default_limit() -> None:
    response = client_of("it_admin").get("/api/core/dead-letters")
    assert response.status_code == 200, response.content
    assert response.json() == []


def test_dead_letters_api_still_checks_the_limit() -> None:
    assert client_of("it_admin").get("/api/core/dead-letters?limit=0").status_code == 422


@pytest.fixture
def scrape_token(settings) -> str:
    settings.MISTO_METRICS_TOKEN = TOKEN
    return TOKEN


def test_metrics_refuse_anonymous_clients(client: Client, scrape_token: str) -> None:
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"misto_http_requests_total" not in response.content


def test_metrics_refuse_a_wrong_or_malformed_token(client: Client, scrape_token: str) -> None:
    for header in (f"Bearer {TOKEN}x", "Bearer ", TOKEN, f"Basic {TOKEN}", "Bearer \u0456"):
        response = client.get("/metrics", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_metrics_with_the_scrape_token(client: Client, scrape_token: str) -> None:
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"misto_http_requests_total" in response.content


def test_metrics_without_a_configured_token_accept_no_token(client: Client, settings) -> None:
    settings.MISTO_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_metrics_for_staff_with_the_permission_only(scrape_token: str) -> None:
    assert client_of("it_admin").get("/metrics").status_code == 200
    assert client_of("auditor").get("/metrics").status_code == 200
    assert client_of("moderator").get("/metrics").status_code == 403
    assert client_of(None).get("/metrics").status_code == 403
