from __future__ import annotations

from typing import get_args

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from misto.core.models import OutboxEvent
from misto.reports import services
from misto.reports.api.schemas import MapCollection, StatusFilter
from misto.reports.models import Contact, Report, Status
from misto.reports.tests.conftest import jpeg
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


def test_submit_page_renders_and_creates(client, city, resident):
    page = client.get(reverse("reports:submit"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="landmark"' in html and "Освітлення" in html
    client.force_login(resident)
    response = client.post(reverse("reports:submit"), {
        "category": "streetlight-out", "description": "Темно", "landmark": city.landmarks[0],
        "attr_how_many": "1", "photos": SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg")})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == services.report_url(report)
    assert report.author == resident and report.photos.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert report.public_id in detail
    assert "Скільки ліхтарів не світить?" in detail


def test_submit_errors_are_shown_and_nothing_saved(client, city):
    response = client.post(reverse("reports:submit"), {
        "category": "streetlight-out", "description": "", "landmark": "77-0001",
        "attr_how_many": "3", "photos": SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "77-0001" in html and 'name="attr_how_many" value="3"' in html
    assert "Describe the problem" in html or "Опишіть" in html
    assert 'role="alert"' in html
    assert not Report.objects.exists()


def test_attributes_and_nearby_fragments(client, city):
    html = client.get(reverse("reports:attributes"), {"category": "pole-damaged"}).content
    assert b'name="attr_wires"' in html
    services.submit(services.Submission(category="streetlight-out", description="x",
                                        landmark=city.landmarks[0],
                                        attributes={"how_many": "1"}))
    html = client.get(reverse("reports:nearby"), {
        "category": "streetlight-out", "landmark": city.landmarks[1]}).content.decode()
    assert 'name="duplicate_of"' in html
    html = client.get(reverse("reports:nearby"), {
        "category": "streetlight-out", "lon": "36.9", "lat": "47.8"}).content.decode()
    assert "errors" in html


def test_map_and_api(client, city):
    report = services.submit(services.Submission(category="pothole", description="Яма",
                                                 landmark=city.landmarks[2],
                                                 attributes={"size": "large"}))
    page = client.get(reverse("reports:map"), {"status": "open", "district": city.east})
    assert page.status_code == 200 and report.public_id in page.content.decode()
    assert client.get(reverse("reports:map"), {"since": "nope"}).status_code == 400
    data = client.get("/api/reports/reports", {"bbox": "35.15,47.80,35.20,47.85"}).json()
    assert [f["id"] for f in data["features"]] == [report.public_id]
    MapCollection.model_validate(data)  # answered without the schema's check (see the route)
    assert client.get("/api/reports/reports", {"status": "", "since": "", "bbox": ""}).json()[
        "features"]  # the map page's empty filters
    assert client.get("/api/reports/reports", {"status": "lost"}).status_code == 422
    assert client.get("/api/reports/reports", {"bbox": "1,2"}).status_code == 400
    one = client.get(f"/api/reports/reports/{report.public_id}").json()
    assert one["properties"]["history"][0]["kind"] == "created"
    assert client.get("/api/reports/reports/0000-000000").status_code == 404
    near = client.get("/api/reports/nearby", {"category": "pothole", "lon": 35.1601,
                                              "lat": 47.82}).json()
    assert near["features"][0]["properties"]["distance_m"] < 20
    assert any(c["code"] == "pothole" for c in client.get("/api/reports/categories").json())


def test_the_status_filter_names_every_status():
    assert set(get_args(StatusFilter)) == {"open", "closed", *Status.values}


def test_queue_and_actions(client, city, clerk, other_clerk, resident):
    report = services.submit(services.Submission(category="streetlight-out", description="x",
                                                 landmark=city.landmarks[0],
                                                 attributes={"how_many": "1"}))
    client.force_login(resident)
    assert client.get(reverse("reports:queue")).status_code == 403
    act = reverse("reports:act", args=[report.public_id])
    # A refused permission is a 403, not a redirect back with a message.
    assert client.post(act, {"action": "status", "status": "accepted"}).status_code == 403
    client.force_login(other_clerk)
    assert client.post(act, {"action": "status", "status": "accepted"}).status_code == 403
    assert report.public_id not in client.get(reverse("reports:queue")).content.decode()
    client.force_login(clerk)
    assert report.public_id in client.get(reverse("reports:queue")).content.decode()
    assert client.post(act, {"action": "status", "status": "accepted"}).status_code == 302
    response = client.post(act, {"action": "status", "status": "resolved"})
    assert response.status_code == 303  # a note is required
    client.post(act, {"action": "assign", "assignee": str(clerk.pk)})
    client.post(act, {"action": "status", "status": "resolved", "note": "Готово",
                      "photo": SimpleUploadedFile("f.jpg", jpeg(), "image/jpeg")})
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.assignee == clerk
    assert OutboxEvent.objects.filter(name="reports.ReportStatusChanged").count() == 2


def test_phone_intake_keeps_contact_private(client, city, clerk, resident,
                                           django_user_model):
    client.force_login(resident)
    assert client.get(reverse("reports:intake")).status_code == 403
    client.force_login(clerk)
    page = client.get(reverse("reports:intake"))
    assert b"autofocus" in page.content
    response = client.post(reverse("reports:intake"), {
        "category": "tree-fallen", "landmark": city.landmarks[2], "description": "Впало",
        "attr_blocking": "yes", "contact_name": "Марія", "contact_phone": "+380501112233"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == "phone" and report.author is None
    assert Contact.objects.get(report=report).phone == "+380501112233"
    client.logout()
    public = client.get(services.report_url(report)).content.decode()
    assert "+380501112233" not in public and "Марія" not in public
    client.force_login(clerk)  # the lighting department's clerk: not this report
    assert "+380501112233" not in client.get(services.report_url(report)).content.decode()
    dispatcher = make_staff("dispatcher", "dispatcher")
    client.force_login(dispatcher)
    assert "+380501112233" in client.get(services.report_url(report)).content.decode()
    assert "380501112233" not in str(OutboxEvent.objects.filter(
        name__startswith="reports.").values_list("payload", flat=True))
    bad = client.post(reverse("reports:intake"), {"category": "tree-fallen",
                                                  "description": "x"})
    assert bad.status_code == 400 and Report.objects.count() == 1


def test_follow_and_cabinet_panel(client, city, resident):
    report = services.submit(services.Submission(category="streetlight-out", description="x",
                                                 landmark=city.landmarks[0],
                                                 attributes={"how_many": "1"}))
    act = reverse("reports:act", args=[report.public_id])
    assert client.post(act, {"action": "follow"}).status_code == 302  # to sign in
    client.force_login(resident)
    client.post(act, {"action": "follow"})
    assert report.followers.filter(user=resident).exists()
    cabinet = client.get(reverse("residents:cabinet")).content.decode()
    assert report.public_id in cabinet


def test_hidden_report_is_gone_for_the_public(client, city, django_user_model):
    report = services.submit(services.Submission(category="streetlight-out", description="x",
                                                 landmark=city.landmarks[0],
                                                 attributes={"how_many": "1"}))
    moderator = make_staff("m", "moderator")
    client.force_login(moderator)
    client.post(reverse("reports:act", args=[report.public_id]),
                {"action": "moderate", "public_description": "", "hidden": "on"})
    client.logout()
    assert client.get(services.report_url(report)).status_code == 404
    assert client.get(f"/open311/v2/requests/{report.public_id}.json").status_code == 404


def test_back_office_lists_the_tree(client, city, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    page = client.get("/admin/reports/category/")
    assert page.status_code == 200 and "streetlight-out" in page.content.decode()
    assert client.get("/admin/reports/apikey/add/").status_code == 403


def test_a_hidden_report_answers_as_a_missing_one(client, city):
    report = services.submit(services.Submission(category="streetlight-out", description="x",
                                                 landmark=city.landmarks[0],
                                                 attributes={"how_many": "1"}))
    Report.objects.filter(pk=report.pk).update(hidden=True)
    hidden = client.get(f"/api/reports/reports/{report.public_id}")
    missing = client.get("/api/reports/reports/2026-999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"] == missing.json()["error"] == "not_found"
    assert (hidden.json()["detail"].replace(report.public_id, "?")
            == missing.json()["detail"].replace("2026-999999", "?"))
    page = client.get(services.report_url(report))
    assert page.status_code == 404 and report.public_id in page.content.decode()
    client.force_login(make_staff("moderator", "moderator"))
    assert client.get(f"/api/reports/reports/{report.public_id}").status_code == 200
    assert client.get(services.report_url(report)).status_code == 200
