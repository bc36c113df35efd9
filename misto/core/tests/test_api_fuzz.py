"""Schemathesis fuzzes every operation in /api/openapi.json: no input may cause a 5xx, and
every answer is one the schema declares (its status, content type and body).

Run one module's operations with ``-k <prefix>``, e.g. ``-k reports``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from misto.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
CSRF = "f" * 32  # a well-formed CSRF secret, sent as both cookie and header


@pytest.fixture
def staff_cookies(django_db_blocker) -> Iterator[dict[str, str]]:
    """Fuzz as a superuser, so that permission checks don't hide the handlers from it."""
    with django_db_blocker.unblock():
        user, _ = get_user_model().objects.get_or_create(
            username="fuzzer", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(user)
        yield {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


@pytest.fixture
def one_connection() -> Iterator[None]:
    """Schemathesis calls the real WSGI handler, which closes the database connection after
    every request; as Django's own test client does, keep it open for the whole case (a new
    SpatiaLite connection loads the extension: a third of the run's time went there)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("one_connection")
@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_answers_are_declared_and_never_5xx(case, staff_cookies: dict[str, str]) -> None:
    # as staff, and anonymous (with a CSRF cookie, so the route's own answer is checked)
    # "identity": the WSGI transport hands back the body as sent and does not undo a
    # Content-Encoding as an HTTP client does (the live map's gzip is tested in situation).
    for cookies in (staff_cookies, {"csrftoken": CSRF}):
        headers = {"X-CSRFToken": CSRF, "Accept-Encoding": "identity"}
        response = case.call(cookies=cookies, headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
        case.validate_response(response, checks=CHECKS, headers=headers)


def test_openapi_schema_is_served(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert client.get("/api/docs").status_code == 200


def test_the_openapi_document_is_built_once_per_language() -> None:
    """Built on every request it cost ~0.6 s of CPU, for anyone to ask again and again."""
    from django.urls import resolve
    from django.utils import translation

    api = resolve("/api/openapi.json").func.keywords["api"]  # type: ignore[attr-defined]
    first = api.get_openapi_schema(path_params={})
    assert api.get_openapi_schema(path_params={}) is first
    with translation.override("en" if translation.get_language() != "en" else "uk"):
        assert api.get_openapi_schema(path_params={}) is not first


@pytest.mark.django_db
def test_bad_json_is_a_4xx_with_a_reason(client: Client) -> None:
    response = client.post("/api/sample/things", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()
    response = client.post("/api/sample/things", data={"name": "x", "size": "big"},
                           content_type="application/json")
    assert response.status_code == 422
    assert "size" in str(response.json()["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/sample/things?x=%00", "/?q=a%00b"])
def test_nul_bytes_in_query_are_refused(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["detail"] == "NUL bytes are not allowed"


@pytest.mark.django_db
def test_nul_bytes_in_json_body_are_refused(client: Client) -> None:
    response = client.post("/api/sample/things", data='{"name": "a\\u0000", "size": 1}',
                           content_type="application/json")
    assert response.status_code == 400


def test_every_operation_declares_its_answers(client: Client) -> None:
    """A client generated from the schema knows every answer's shape: each operation declares
    a success response with its body (or 204), and the error body for the refusals."""
    undeclared = []
    for path, operations in client.get("/api/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            success = [code for code in responses if code.startswith("2")]
            if not success or any(code != "204" and "content" not in responses[code]
                                  for code in success):
                undeclared.append(f"{method.upper()} {path}")
            elif "422" not in responses:
                undeclared.append(f"{method.upper()} {path} (no refusals)")
    assert not undeclared, "operations without declared answers:\n" + "\n".join(undeclared)


def _models(base: type) -> Iterator[type]:
    sub: type
    for sub in base.__subclasses__():
        yield sub
        yield from _models(sub)


def test_every_schema_has_a_name_of_its_own(client: Client) -> None:
    """Django Ninja keys the OpenAPI components by class name, so a second schema of the same
    name silently replaces the first and an operation documents another module's answer (the
    directory's HSDS import once answered, by the schema, with the index's import)."""
    from pydantic import BaseModel

    client.get("/api/openapi.json")  # every router, and so every schema, is imported
    names: dict[str, set[str]] = {}
    for model in _models(BaseModel):
        module = model.__module__
        if module.startswith("misto.") and ".tests" not in module:
            names.setdefault(model.__name__, set()).add(module)
    shared = {name: sorted(modules) for name, modules in names.items() if len(modules) > 1}
    assert not shared, f"schemas sharing a name: {shared}"
