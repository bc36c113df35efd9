"""Photos of a unit go through the core's photo pipeline: stored without metadata (no
camera position or make), refused over the pixel cap or when not an image, kept by the
maintaining department only; the card and the API show them with their captions."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from misto.core.tests.test_photos import png_header
from misto.directory.models import UnitPhoto
from misto.directory.services import photos as photo_service

pytestmark = pytest.mark.django_db
GPS_IFD = 0x8825


def jpeg_with_gps() -> io.BytesIO:
    """A phone-like JPEG whose EXIF says where it was taken and with which camera."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (47.0, 49.0, 0.0), 3: "E", 4: (35.0, 8.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(out, "JPEG", exif=exif.tobytes())
    out.seek(0)
    out.name = "entrance.jpg"
    return out

API = "/api/directory/places/cnap-main/photos"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_photo_is_stored_without_metadata_and_shown_on_the_card(cnap, cnap_clerk) -> None:
    sent = jpeg_with_gps()
    assert Image.open(sent).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    sent.seek(0)
    response = client_for(cnap_clerk).post(API, {"photo": sent, "caption_uk": "Вхід з пандусом",
                                                 "caption_en": "Entrance with a ramp"})
    assert response.status_code == 201, response.content
    [shown] = response.json()["photos"]
    assert shown["caption"] == "Вхід з пандусом" and (shown["width"], shown["height"]) == (64, 48)
    row = UnitPhoto.objects.get()
    with row.image.open("rb") as stored, Image.open(stored) as image:
        exif = image.getexif()
        assert image.format == "JPEG" and not exif.get_ifd(GPS_IFD) and 0x010F not in exif
    anyone = Client(HTTP_ACCEPT_LANGUAGE="en")
    served = anyone.get(shown["url"])
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    card = anyone.get("/directory/cnap-main/").content.decode()
    assert f'src="{shown["url"]}"' in card and 'alt="Entrance with a ramp"' in card
    assert anyone.get("/api/directory/places/cnap-main").json()["photos"][0]["id"] == row.pk


@pytest.mark.parametrize(("upload", "caption", "status", "code"), [
    (lambda: io.BytesIO(png_header(7000, 7000)), "Вхід", 400, "bad_photo"),  # 49 MP
    (lambda: io.BytesIO(b"%PDF-1.7 not a photo"), "Вхід", 400, "bad_photo"),
    (None, "Вхід", 422, None),  # no photo: the schema refuses
    (jpeg_with_gps, "", 422, None),  # no caption: the schema refuses
])
def test_bad_photo_is_refused_and_nothing_is_stored(cnap, cnap_clerk, tmp_path, upload,
                                                    caption, status, code) -> None:
    data = {"caption_uk": caption}
    if upload is not None:
        data["photo"] = upload()
        data["photo"].name = "x.png"
    response = client_for(cnap_clerk).post(API, data)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"] == code
    assert not UnitPhoto.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_only_the_maintaining_department_adds_and_removes(cnap, cnap_clerk, light_clerk,
                                                          monkeypatch) -> None:
    assert client_for(light_clerk).post(API, {"photo": jpeg_with_gps(),
                                              "caption_uk": "Вхід"}).status_code == 403
    assert Client().post(API, {"photo": jpeg_with_gps(),
                               "caption_uk": "Вхід"}).status_code == 401
    clerk = client_for(cnap_clerk)
    monkeypatch.setattr(photo_service, "MAX_PHOTOS", 1)
    assert clerk.post(API, {"photo": jpeg_with_gps(), "caption_uk": "Вхід"}).status_code == 201
    full = clerk.post(API, {"photo": jpeg_with_gps(), "caption_uk": "Ще"})
    assert full.status_code == 409 and full.json()["error"] == "too_many"
    row = UnitPhoto.objects.get()
    assert client_for(light_clerk).delete(f"{API}/{row.pk}").status_code == 403
    assert clerk.delete(f"{API}/{row.pk}").status_code == 204
    assert clerk.delete(f"{API}/{row.pk}").status_code == 404
    assert Client().get(f"/directory/photos/{row.pk}").status_code == 404


def test_staff_page_adds_a_photo(cnap, cnap_clerk) -> None:
    clerk = client_for(cnap_clerk)
    response = clerk.post("/directory/staff/places/cnap-main/", {
        "step": "photo", "photo": jpeg_with_gps(), "caption_uk": "Вхід"})
    assert response.status_code == 303
    row = UnitPhoto.objects.get()
    page = clerk.get("/directory/staff/places/cnap-main/").content.decode()
    assert f"/directory/photos/{row.pk}" in page
    clerk.post("/directory/staff/places/cnap-main/", {"step": "remove_photo",
                                                      "photo": str(row.pk)})
    assert not UnitPhoto.objects.exists()
