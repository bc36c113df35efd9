"""A NUL in the report form is refused with 400 and nothing is saved (both databases)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from misto.reports.models import Report
from misto.reports.tests.conftest import jpeg

pytestmark = pytest.mark.django_db


def form(city, **changes: object) -> dict[str, object]:
    return {"category": "streetlight-out", "description": "Темно", "landmark": city.landmarks[0],
            "attr_how_many": "1", "contact_name": "Олена",
            "photos": SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg"), **changes}


@pytest.mark.parametrize("field", ["description", "contact_name", "attr_how_many", "landmark"])
def test_a_nul_in_a_multipart_field_is_refused(client, city, field):
    response = client.post(reverse("reports:submit"), form(city, **{field: "Тем\x00но"}))
    assert response.status_code == 400
    assert response.json()["detail"] == "NUL bytes are not allowed"
    assert not Report.objects.exists()


def test_a_nul_in_the_urlencoded_form_is_refused(client, city):
    data = form(city, description="Тем\x00но")
    del data["photos"]
    response = client.post(reverse("reports:submit"), "&".join(
        f"{key}={value}" for key, value in data.items()).replace("\x00", "%00"),
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_the_photo_itself_may_hold_nul_bytes(client, city):
    photo = jpeg()
    assert b"\x00" in photo
    response = client.post(reverse("reports:submit"), form(city))
    assert response.status_code == 302
    assert Report.objects.get().photos.count() == 1
