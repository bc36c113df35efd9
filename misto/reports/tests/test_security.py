"""What the security probe of issue 13 found in the reports, each pinned by a test: rate
limits, the pixel cap, photos served with their access check, bad coordinates, retried
submissions, and reporters' contacts encrypted at rest."""

from __future__ import annotations

import importlib
import io
import json
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from PIL import Image

from misto.core import crypto
from misto.core.models import OutboxEvent, StaffAssignment
from misto.reports import services
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import Contact, Photo, Report
from misto.reports.tests.conftest import jpeg
from misto.residents.tests.test_register import raw_text_of_tables

pytestmark = pytest.mark.django_db
OPEN311 = "/open311/v2/requests"


@pytest.fixture
def key(db) -> str:
    out = io.StringIO()
    call_command("open311", "create-key", "Test app", stdout=out)
    return out.getvalue().strip()


def open311_post(client, key: str, fmt: str = "json", **extra):
    data = {"api_key": key, "service_code": "streetlight-out", "lat": "47.8201",
            "long": "35.1301", "description": "Не світить", "attribute[how_many]": "1"}
    data.update({k: v for k, v in extra.items() if not k.startswith("HTTP_")})
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    return client.post(f"{OPEN311}.{fmt}", data, **headers)


def form(city, **extra):
    data = {"category": "streetlight-out", "description": "Темно",
            "landmark": city.landmarks[0], "attr_how_many": "1"}
    data.update(extra)
    return data


def png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 0).save(out, "PNG")
    return out.getvalue()


# --- Medium 5: rate limits ------------------------------------------------------------


def test_anonymous_report_posts_are_limited_per_client(client, city, settings):
    settings.MISTO_RATE_LIMITS = {**settings.MISTO_RATE_LIMITS, "reports.submit": "3/m"}
    for _attempt in range(3):
        assert client.post(reverse("reports:submit"), form(city, description="")
                           ).status_code == 400
    refused = client.post(reverse("reports:submit"), form(city))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    assert "Retry-After" not in client.get(reverse("reports:submit"))  # reading is free
    assert 'role="alert"' in refused.content.decode()
    assert not Report.objects.exists()
    other = client.post(reverse("reports:submit"), form(city), REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 302  # another client is not affected


def test_open311_posts_are_limited_per_key_in_the_spec_format(client, city, key, settings):
    settings.MISTO_RATE_LIMITS = {**settings.MISTO_RATE_LIMITS, "open311.key": "2/h",
                                  "open311.client": "100/h"}
    for number in range(2):
        assert open311_post(client, key, REMOTE_ADDR=f"10.0.1.{number}").status_code == 200
    refused = open311_post(client, key, REMOTE_ADDR="10.0.1.9")  # a new address, same key
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 60
    body = refused.json()
    assert body[0]["code"] == 429 and body[0]["description"]
    as_xml = open311_post(client, key, fmt="xml")
    assert as_xml.status_code == 429 and "Retry-After" in as_xml
    assert ElementTree.fromstring(as_xml.content).find("error/code").text == "429"
    assert Report.objects.count() == 2


def test_open311_posts_are_limited_per_client_even_with_bad_keys(client, city, settings):
    settings.MISTO_RATE_LIMITS = {**settings.MISTO_RATE_LIMITS, "open311.client": "2/m"}
    for _attempt in range(2):
        assert open311_post(client, "guessed-key").status_code == 403
    assert open311_post(client, "guessed-key").status_code == 429


# --- Medium 6: photo pixel cap ----------------------------------------------------------


def test_photos_over_24_megapixels_are_refused(city):
    over = SimpleUploadedFile("big.png", png((6000, 4100)), "image/png")  # 24.6 MP
    with pytest.raises(ReportError) as caught:
        services.submit(services.Submission(
            category="streetlight-out", description="x", landmark=city.landmarks[0],
            attributes={"how_many": "1"}, photos=[over]))
    assert caught.value.code == ReportsCode.PHOTO_TOO_LARGE and caught.value.field == "photos"
    assert "24" in caught.value.message
    assert not Report.objects.exists()


# --- Medium 11: photos served through a view ------------------------------------------


def _report_with_photo(city) -> tuple[Report, Photo]:
    report = services.submit(services.Submission(
        category="streetlight-out", description="x", landmark=city.landmarks[0],
        attributes={"how_many": "1"},
        photos=[SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg")]))
    return report, report.photos.get()


def test_public_photo_is_served_with_safe_headers(client, city):
    report, photo = _report_with_photo(city)
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public")
    assert response["Content-Disposition"] == (
        f'inline; filename="{report.public_id}-{photo.pk}.jpg"')
    assert response.getvalue() == photo.image.open("rb").read()
    assert photo.get_absolute_url() in client.get(services.report_url(report)).content.decode()


def test_hidden_photos_only_for_those_who_may_view_the_report(client, city,
                                                               django_user_model):
    report, photo = _report_with_photo(city)
    Photo.objects.filter(pk=photo.pk).update(hidden=True)
    url = photo.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(django_user_model.objects.create_user("resident"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:photo", args=[photo.pk + 1000])).status_code == 404
    roads = django_user_model.objects.create_user("roads")
    StaffAssignment.objects.create(user=roads, role="clerk", department="roads")
    client.force_login(roads)
    assert client.get(url).status_code == 404  # another department's report
    light = django_user_model.objects.create_user("light")
    StaffAssignment.objects.create(user=light, role="clerk", department="light")
    client.force_login(light)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    Photo.objects.filter(pk=photo.pk).update(hidden=False)
    Report.objects.filter(pk=report.pk).update(hidden=True)
    client.logout()
    assert client.get(url).status_code == 404  # a hidden report's photos are hidden too


def test_open311_media_url_is_the_absolute_photo_view(client, city, key):
    created = client.post(f"{OPEN311}.json", {
        "api_key": key, "service_code": "streetlight-out", "lat": "47.8201", "long": "35.1301",
        "attribute[how_many]": "1",
        "media": SimpleUploadedFile("m.jpg", jpeg(), "image/jpeg")}).json()[0]
    photo = Photo.objects.get()
    item = client.get(f"/open311/v2/requests/{created['service_request_id']}.json").json()[0]
    assert item["media_url"] == f"http://testserver{photo.get_absolute_url()}"
    assert client.get(item["media_url"]).status_code == 200


# --- Low 13: bad coordinates ------------------------------------------------------------


@pytest.mark.parametrize("lon,lat", [("35.13", "INF"), ("NaN", "47.82"), ("-inf", "47.8"),
                                     ("35.1", "95")])
def test_nearby_api_refuses_non_finite_coordinates(client, city, lon, lat):
    response = client.get("/api/reports/nearby", {"category": "pothole", "lon": lon,
                                                  "lat": lat})
    assert response.status_code == 400
    assert response.json()["error"] == ReportsCode.BAD_COORDINATES


# --- Low 16: retried submissions --------------------------------------------------------


def test_the_form_token_makes_a_retry_return_the_first_report(client, city):
    page = client.get(reverse("reports:submit")).content.decode()
    token = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    assert len(token) >= 24
    first = client.post(reverse("reports:submit"), form(city, idempotency_key=token))
    again = client.post(reverse("reports:submit"), form(city, idempotency_key=token))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Report.objects.count() == 1
    fresh = client.get(reverse("reports:submit")).content.decode()
    assert token not in fresh  # every new form has its own token
    refused = client.post(reverse("reports:submit"), form(city, idempotency_key="x y"))
    assert refused.status_code == 400 and Report.objects.count() == 1
    assert 'name="idempotency_key" value="x y"' not in refused.content.decode()  # a new one


def test_the_idempotency_key_header_makes_an_open311_retry_return_the_first(client, city,
                                                                           key):
    first = open311_post(client, key, HTTP_IDEMPOTENCY_KEY="retry-1").json()
    again = open311_post(client, key, HTTP_IDEMPOTENCY_KEY="retry-1").json()
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert first[0]["token"] == again[0]["token"]
    assert Report.objects.count() == 1
    other = open311_post(client, key, HTTP_IDEMPOTENCY_KEY="retry-2").json()
    assert other[0]["service_request_id"] != first[0]["service_request_id"]
    out = io.StringIO()
    call_command("open311", "create-key", "Another app", stdout=out)
    second_app = open311_post(client, out.getvalue().strip(), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert second_app.json()[0]["service_request_id"] != first[0]["service_request_id"]
    assert Report.objects.count() == 3
    bad = open311_post(client, key, HTTP_IDEMPOTENCY_KEY="ключ")
    assert bad.status_code == 400 and Report.objects.count() == 3


# --- Medium 10: reporters' contacts encrypted -------------------------------------------


CONTACTS = {"first_name": "Мирослава", "last_name": "Контактенко", "phone": "+380661234987",
            "email": "myroslava.k@example.org"}


def test_reporters_contacts_are_not_stored_in_plain_text(client, city, key,
                                                        django_user_model):
    open311_post(client, key, **CONTACTS)
    web = client.post(reverse("reports:submit"), form(
        city, contact_name="Анонім Дзвінкий", contact_phone="0509876543",
        contact_email="anon.reporter@example.org"))
    assert web.status_code == 302
    operator = django_user_model.objects.create_user("operator")
    StaffAssignment.objects.create(user=operator, role="operator")
    client.force_login(operator)
    call = client.post(reverse("reports:intake"), form(
        city, contact_name="Телефонна Абонентка", contact_phone="+380931112299"))
    assert call.status_code == 302
    raw = raw_text_of_tables()
    for secret in [*CONTACTS.values(), "Анонім Дзвінкий", "0509876543",
                   "anon.reporter@example.org", "Телефонна Абонентка", "+380931112299"]:
        assert secret not in raw, f"{secret!r} is stored in plain text"
    assert Contact.objects.count() == 3
    assert sorted(Contact.objects.values_list("phone", flat=True)) == sorted(
        [CONTACTS["phone"], "0509876543", "+380931112299"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM reports_contact")
        for name, phone in cursor.fetchall():
            assert name.startswith(crypto.TOKEN_PREFIX) and phone.startswith(crypto.TOKEN_PREFIX)


def test_the_data_migration_encrypts_contacts_stored_in_plain_text(city):
    report = services.submit(services.Submission(
        category="streetlight-out", description="x", landmark=city.landmarks[0],
        attributes={"how_many": "1"}, contact_name="Старий Запис", contact_phone="0671234567"))
    with connection.cursor() as cursor:  # as the rows were before the migration
        cursor.execute("UPDATE reports_contact SET name = %s, phone = %s, email = %s",
                       ["Старий Запис", "0671234567", ""])
    migration = importlib.import_module(
        "misto.reports.migrations.0003_encrypt_existing_contacts")
    editor = type("Editor", (), {"connection": connection})()
    migration.encrypt_plain(None, editor)
    migration.encrypt_plain(None, editor)  # running twice leaves tokens alone
    assert "Старий Запис" not in raw_text_of_tables()
    contact = Contact.objects.get(report=report)
    assert (contact.name, contact.phone, contact.email) == ("Старий Запис", "0671234567", "")
    migration.decrypt_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM reports_contact")
        assert cursor.fetchone()[0] == "Старий Запис"


def test_no_contact_reaches_events_or_public_outputs(client, city, key):
    open311_post(client, key, **CONTACTS)
    listed = json.dumps(client.get(f"{OPEN311}.json").json(), ensure_ascii=False)
    events = json.dumps(list(OutboxEvent.objects.values_list("payload", flat=True)),
                        ensure_ascii=False)
    for secret in CONTACTS.values():
        assert secret not in listed and secret not in events
