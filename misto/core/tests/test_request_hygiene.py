"""No NUL reaches a module: refused with 400 in every part of a request.

PostgreSQL refuses NUL in text outright (a server error deep in some module) and SQLite
would store it; no text field of the platform may hold one. File contents may: a photo or
a PDF is full of NUL bytes.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from misto.core.middleware import holds_nul

pytestmark = pytest.mark.django_db

THING = "/api/sample/things"
VERIFY = "/api/residents/extracts/AAAA-BBBB-CCCC/verify"  # a ninja multipart route


def assert_refused(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"] == "NUL bytes are not allowed"


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "application/geo+json",
    "application/octet-stream", "text/plain", "",
])
def test_json_bodies_of_any_declared_type(client: Client, content_type: str) -> None:
    """The API parses any body as JSON, whatever the client says it is."""
    for body in ('{"name": "a\\u0000", "size": 1}', '{"name": "a\x00", "size": 1}'):
        assert_refused(client.post(THING, data=body, content_type=content_type))


def test_an_escaped_backslash_before_u0000_is_text(client: Client) -> None:
    response = client.post(THING, data='{"name": "a\\\\u0000", "size": 1}',
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["name"] == "a\\u0000"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_bodies_of_other_methods(client: Client, method: str) -> None:
    response = getattr(client, method)(THING, data='{"name": "\\u0000"}',
                                       content_type="application/json")
    assert_refused(response)


def test_urlencoded_bodies(client: Client) -> None:
    for body in ("name=a%00b", "a%00=1", "name=a\x00"):
        assert_refused(client.post(VERIFY, data=body,
                                   content_type="application/x-www-form-urlencoded"))


def test_query_and_path(client: Client) -> None:
    assert_refused(client.get("/api/twin/locate?lon=35.1%00&lat=47.8"))
    assert_refused(client.get("/api/twin/locate?lon=35.1\x00&lat=47.8"))
    assert_refused(client.get("/api/residents/extracts/AB%00CD"))


def pdf_with_nul() -> SimpleUploadedFile:
    return SimpleUploadedFile("e.pdf", b"%PDF-1.7\n\x00\x01\x02binary\x00", "application/pdf")


def test_multipart_fields_on_an_api_route(client: Client) -> None:
    for fields in ({"note": "a\x00b"}, {"note\x00": "x"}, {"note": '{"a": "\\u0000"}'}):
        assert_refused(client.post(VERIFY, {"file": pdf_with_nul(), **fields}))


def test_file_contents_may_hold_nul(client: Client) -> None:
    response = client.post(VERIFY, {"file": pdf_with_nul(), "note": "без нулів"})
    assert response.status_code == 200
    assert response.json()["found"] is False


def test_a_nul_in_a_file_name_never_reaches_the_view(client: Client) -> None:
    upload = SimpleUploadedFile("e\x00.pdf", b"%PDF", "application/pdf")
    assert client.post(VERIFY, {"file": upload}).status_code == 200


def test_multipart_to_a_json_route_is_still_a_client_error(client: Client) -> None:
    response = client.post(THING, {"name": "x", "size": "1", "file": pdf_with_nul()})
    assert 400 <= response.status_code < 500


def test_holds_nul() -> None:
    assert holds_nul("a\x00") and holds_nul("\\u0000") and holds_nul("\\\\\\u0000")
    assert not holds_nul("\\\\u0000") and not holds_nul("u0000") and not holds_nul("%00")
