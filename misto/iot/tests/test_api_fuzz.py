"""Schemathesis over the IoT module's own APIs at their published paths (NGSI-LD at
``/ngsi-ld/v1/``, the LoRaWAN webhooks at ``/iot/webhooks/``), with the checks the site's
API gets in ``misto/core/tests/test_api_fuzz.py``: no 5xx, and every answer one its schema
declares (status, content type, body; NGSI-LD's refusals are ProblemDetails)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from misto.core.tests.test_api_fuzz import CHECKS, CSRF, staff_cookies  # noqa: F401
from misto.wsgi import application

ngsi = schemathesis.openapi.from_wsgi("/ngsi-ld/v1/openapi.json", application)
webhooks = schemathesis.openapi.from_wsgi("/iot/webhooks/openapi.json", application)
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.filter_too_much])


def _check(case, cookies_list) -> None:
    for cookies in cookies_list:
        headers = {"X-CSRFToken": CSRF}
        response = case.call(cookies=cookies, headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: "
            f"{response.text[:500]}")
        case.validate_response(response, checks=CHECKS, headers=headers)


@pytest.mark.django_db(transaction=True)
@ngsi.parametrize()
@FUZZ
def test_ngsi_answers_are_declared_and_never_5xx(case, staff_cookies) -> None:  # noqa: F811
    _check(case, (staff_cookies, {"csrftoken": CSRF}))


@pytest.mark.django_db(transaction=True)
@webhooks.parametrize()
@FUZZ
def test_webhook_answers_are_declared_and_never_5xx(case, staff_cookies) -> None:  # noqa: F811
    _check(case, (staff_cookies, {"csrftoken": CSRF}))
