import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from misto.residents.models import Extract

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(client, make_person, make_user):
    user = make_user()
    person = make_person(1, user=user, address="Шевченка 1")
    client.force_login(user)
    response = client.post(reverse("residents:extract-new"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.logout()
    return person, response.content, Extract.objects.get()


def test_the_pdf_carries_the_code_and_a_qr_and_only_its_hash_is_kept(issued):
    person, pdf, extract = issued
    assert pdf.startswith(b"%PDF")
    assert extract.sha256 == hashlib.sha256(pdf).hexdigest()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", extract.code)
    assert b"/Subtype /Image" in pdf  # the QR code
    assert extract.person == person and extract.district == person.district


def test_public_page_confirms_without_personal_data(client, issued):
    person, pdf, extract = issued
    page = client.get(reverse("residents:extract-check", args=[extract.code]))
    html = page.content.decode()
    assert page.status_code == 200 and extract.sha256 in html
    for secret in (person.last_name, person.first_name, person.rnokpp, person.address,
                   person.birth_date):
        assert secret not in html
    upload = SimpleUploadedFile("extract.pdf", pdf, content_type="application/pdf")
    page = client.post(reverse("residents:extract-check", args=[extract.code]),
                       {"file": upload})
    assert page.status_code == 200 and 'id="verdict"' in page.content.decode()
    assert "message-success" in page.content.decode()
    api = client.post(f"/api/residents/extracts/{extract.code}/verify",
                      {"file": SimpleUploadedFile("e.pdf", pdf)}).json()
    assert api["valid"] is True and api["file_matches"] is True


def test_an_altered_extract_fails(client, issued):
    _person, pdf, extract = issued
    # Change one byte anywhere: a digit of the address, the date, a byte of the stream.
    for position in (len(pdf) // 3, len(pdf) // 2, len(pdf) - 40):
        altered = bytearray(pdf)
        altered[position] = (altered[position] + 1) % 256
        api = client.post(f"/api/residents/extracts/{extract.code}/verify",
                          {"file": SimpleUploadedFile("e.pdf", bytes(altered))}).json()
        assert api["valid"] is False and api["file_matches"] is False
    page = client.post(reverse("residents:extract-check", args=[extract.code]),
                       {"file": SimpleUploadedFile("e.pdf", pdf + b"\n% appended")})
    assert "message-error" in page.content.decode()


def test_unknown_codes_and_bad_requests(client, issued):
    _person, pdf, extract = issued
    assert client.get(reverse("residents:extract-check", args=["AAAA-BBBB-CCCC"])
                      ).status_code == 404
    assert client.get("/api/residents/extracts/nope").json()["found"] is False
    assert client.post(reverse("residents:extract-check", args=[extract.code])
                       ).status_code == 400
    wrong_code = client.post("/api/residents/extracts/ZZZZ-ZZZZ-ZZZZ/verify",
                             {"file": SimpleUploadedFile("e.pdf", pdf)}).json()
    assert wrong_code["valid"] is False


@pytest.mark.parametrize("code", ["a/b", "AAAA-BBBB-CCCC/", "../x", "a b", "AAAA?x", "Ω"])
def test_a_malformed_code_is_refused_with_a_reason(client, db, code):
    page = client.get("/cabinet/extracts/check/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "letters, digits and dashes" in page.content.decode()
    posted = client.post("/cabinet/extracts/check/",
                         {"code": code, "file": SimpleUploadedFile("e.pdf", b"%PDF")},
                         HTTP_ACCEPT_LANGUAGE="en")
    assert posted.status_code == 400


def test_no_extract_without_a_registered_address(client, make_person, make_user):
    user = make_user()
    make_person(2, user=user, address="")
    client.force_login(user)
    response = client.post(reverse("residents:extract-new"))
    assert response.status_code == 302 and Extract.objects.count() == 0
