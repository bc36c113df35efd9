"""The one error model: a coded MistoError raised below any API handler becomes the API's
error body and status, in one place (``misto.api.add_error_handlers``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from django.test import Client
from ninja import NinjaAPI, Router
from ninja.testing import TestClient

from misto.api import add_error_handlers
from misto.core.errors import MistoError, ckan_error, open311_errors
from misto.core.ratelimit import RateLimited


class ProbeCode(StrEnum):
    TOO_LATE = "too_late"
    GONE = "gone"


class ProbeError(MistoError):
    """A module's error: no code of its own, the base's constructor."""


class ProbeGone(ProbeError):
    status = 410


class ShapedError(ProbeError):
    """A module whose published error shape differs keeps it by overriding ``api_body``."""

    def api_body(self) -> dict[str, Any]:
        return {"message": self.message, "kind": str(self.code)}


def probe_client() -> TestClient:
    router = Router()

    @router.get("/coded")
    def coded(request: Any) -> None:
        raise ProbeError(ProbeCode.TOO_LATE, "Too late for that.", status=409, field="when")

    @router.get("/gone")
    def gone(request: Any) -> None:
        raise ProbeGone(ProbeCode.GONE, "It is gone.")

    @router.get("/shaped")
    def shaped(request: Any) -> None:
        raise ShapedError(ProbeCode.TOO_LATE, "Too late.")

    @router.get("/typed")
    def typed(request: Any, n: int) -> dict[str, int]:
        return {"n": n}

    @router.get("/busy")
    def busy(request: Any) -> None:
        raise RateLimited("probe", 42)

    @router.get("/broken")
    def broken(request: Any) -> None:
        raise RuntimeError("a bug, not a refusal")

    api = NinjaAPI(urls_namespace="errors-probe")
    add_error_handlers(api)
    api.add_router("/", router)
    return TestClient(api)


def test_a_coded_error_becomes_the_api_body_and_its_status() -> None:
    response = probe_client().get("/coded")
    assert response.status_code == 409
    assert response.json() == {"error": "too_late", "detail": "Too late for that."}


def test_a_subclass_default_status_applies_without_an_override() -> None:
    response = probe_client().get("/gone")
    assert response.status_code == 410
    assert response.json() == {"error": "gone", "detail": "It is gone."}


def test_a_module_keeps_its_own_body_shape_through_api_body() -> None:
    response = probe_client().get("/shaped")
    assert response.status_code == 400
    assert response.json() == {"message": "Too late.", "kind": "too_late"}


def test_an_error_may_carry_headers() -> None:
    response = probe_client().get("/busy")
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert response.json()["error"] == "rate_limited"


def test_validation_errors_keep_their_422_body() -> None:
    response = probe_client().get("/typed?n=many")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid request"


def test_other_exceptions_are_not_dressed_up_as_refusals() -> None:
    """A bug stays a bug: the handler answers only MistoError, the rest goes on to Django."""
    with pytest.raises(RuntimeError):
        probe_client().get("/broken")


def test_the_same_code_maps_to_open311_and_ckan_envelopes() -> None:
    error = ProbeGone(ProbeCode.GONE, "It is gone.", field="id")
    assert error.field == "id"
    assert open311_errors(error) == [{"code": 410, "description": "It is gone."}]
    assert ckan_error(error) == {"success": False,
                                 "error": {"__type": "gone", "message": "It is gone."}}


@pytest.mark.django_db
def test_the_assembled_api_answers_module_errors_in_their_published_shapes() -> None:
    client = Client()
    twin = client.get("/api/twin/search?q=")
    assert twin.status_code == 400
    assert twin.json()["error"] == "empty_query"
    assert set(twin.json()) == {"error", "detail"}
    ledger = client.get("/api/ledger/entries/999999")
    assert ledger.status_code == 404
    assert ledger.json() == {"error": "there is no entry 999999", "code": "not_found"}
