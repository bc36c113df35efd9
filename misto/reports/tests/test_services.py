from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from misto.core.models import OutboxEvent
from misto.reports import services
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import Change, Follower, Report, Status
from misto.reports.tests.conftest import jpeg
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


def submission(**kw):
    base = {"category": "streetlight-out", "description": "Темно",
            "attributes": {"how_many": "2"}}
    base.update(kw)
    return services.Submission(**base)


def test_submit_by_landmark_routes_and_publishes(city, resident):
    report = services.submit(submission(landmark=city.landmarks[0], author=resident))
    assert report.public_id.endswith(f"{report.pk:06d}")
    assert report.district == city.west and report.department.code == "light"
    assert report.landmark == city.landmarks[0]
    assert report.address == "Шевченка, 1"
    assert report.attributes == {"how_many": 2}
    assert report.due_at is not None and report.due_at > report.created_at
    event = OutboxEvent.objects.get(name="reports.ReportCreated")
    assert event.payload["report_id"] == report.pk
    assert event.payload["author_user_id"] == resident.pk
    assert event.payload["district"] == city.west
    assert event.payload["channel"] == "web"
    assert set(event.payload) >= {"public_id", "category", "category_title", "department",
                                  "lon", "lat", "landmark", "address", "created_at", "url"}


def test_the_database_numbers_every_report_by_its_year_and_id(city):
    """The number comes from the insert itself (a trigger), for a submission and for a row
    made any other way; the year is the UTC year received, the id never cut short."""
    from datetime import UTC, datetime

    report = services.submit(submission(landmark=city.landmarks[0]))
    assert report.public_id == f"{report.created_at.astimezone(UTC).year}-{report.pk:06d}"
    assert Report.objects.get(pk=report.pk).public_id == report.public_id
    new_year_eve = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 2026 already in Kyiv
    direct = Report.objects.create(pk=1234567, category=report.category,
                                   location=report.location, description="x",
                                   created_at=new_year_eve)
    assert direct.public_id == "2025-1234567"
    assert Report.objects.get(pk=direct.pk).public_id == "2025-1234567"


def test_landmark_number_spelled_loosely(city):
    number = city.landmarks[0].replace("-", " ")
    assert services.submit(submission(landmark=number)).landmark == city.landmarks[0]


def test_district_route_overrides_category(city):
    report = services.submit(submission(category="no-heating", attributes={},
                                        lon="35.16", lat="47.82"))
    assert report.department.code == "heating"


@pytest.mark.parametrize("kw,code", [
    ({"category": "nope"}, ReportsCode.UNKNOWN_CATEGORY),
    ({"category": "lighting"}, ReportsCode.UNKNOWN_CATEGORY),  # a group, not a leaf
    ({"lon": "35.30", "lat": "47.82"}, ReportsCode.OUTSIDE_CITY),
    ({"lon": "47.82", "lat": "135.1"}, ReportsCode.BAD_COORDINATES),
    ({"lon": "abc", "lat": "47.8"}, ReportsCode.BAD_COORDINATES),
    ({"landmark": "99-9999"}, ReportsCode.UNKNOWN_LANDMARK),
    ({}, ReportsCode.NO_LOCATION),
    ({"landmark": "L", "attributes": {}}, ReportsCode.MISSING_ATTRIBUTE),
    ({"attributes": {"how_many": "many"}}, ReportsCode.BAD_ATTRIBUTE),
    ({"attributes": {"how_many": "1", "colour": "red"}}, ReportsCode.BAD_ATTRIBUTE),
    ({"description": "  "}, ReportsCode.NO_DESCRIPTION),
])
def test_bad_input_saves_nothing(city, kw, code):
    if kw.get("landmark") == "L":
        kw["landmark"] = city.landmarks[0]
    if not any(k in kw for k in ("lon", "landmark")) and kw != {}:
        kw.setdefault("landmark", city.landmarks[0])
    with pytest.raises(ReportError) as caught:
        services.submit(submission(**kw))
    codes = [e.code for e in getattr(caught.value, "errors", [caught.value])]
    assert code in codes
    assert caught.value.message
    assert not Report.objects.exists()
    assert not OutboxEvent.objects.filter(name__startswith="reports.").exists()


def test_landmark_outside_city(city):
    with pytest.raises(ReportError) as caught:
        services.submit(submission(landmark=city.landmarks[3]))
    assert caught.value.code == ReportsCode.OUTSIDE_CITY


def test_address_search(city):
    report = services.submit(submission(address="Шевченка 12"))
    assert report.district == city.east


def test_photo_metadata_stripped_orientation_kept_gps_used(city):
    upload = SimpleUploadedFile("p.jpg", jpeg(gps=(35.1602, 47.8203), orientation=6),
                                "image/jpeg")
    report = services.submit(submission(photos=[upload], use_photo_location=True))
    assert report.district == city.east
    assert abs(report.location.x - 35.1602) < 1e-4 and abs(report.location.y - 47.8203) < 1e-4
    photo = report.photos.get()
    with Image.open(photo.image.path) as image:
        exif = dict(image.getexif())
        assert exif == {0x0112: 6}
        assert not image.getexif().get_ifd(0x8825)
    assert (photo.width, photo.height) == (30, 40)  # shown rotated


def test_photo_gps_ignored_unless_allowed(city):
    upload = SimpleUploadedFile("p.jpg", jpeg(gps=(35.1602, 47.8203)), "image/jpeg")
    with pytest.raises(ReportError) as caught:
        services.submit(submission(photos=[upload]))
    assert caught.value.code == ReportsCode.NO_LOCATION


def test_photo_not_image_and_too_large(city, settings):
    fake = SimpleUploadedFile("p.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    with pytest.raises(ReportError) as caught:
        services.submit(submission(landmark=city.landmarks[0], photos=[fake]))
    assert caught.value.code == ReportsCode.PHOTO_NOT_IMAGE
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(ReportError) as caught:
        services.submit(submission(landmark=city.landmarks[0],
                                   photos=[SimpleUploadedFile("p.gif", gif.getvalue())]))
    assert caught.value.code == ReportsCode.PHOTO_NOT_IMAGE
    huge = io.BytesIO()
    Image.new("1", (8000, 7000)).save(huge, "PNG")  # 56 megapixels, a few kilobytes
    with pytest.raises(ReportError) as caught:
        services.submit(submission(landmark=city.landmarks[0],
                                   photos=[SimpleUploadedFile("h.png", huge.getvalue())]))
    assert caught.value.code == ReportsCode.PHOTO_TOO_LARGE
    settings.MISTO_REPORTS_MAX_PHOTO_BYTES = 1000
    big = SimpleUploadedFile("big.jpg", jpeg(size=(400, 400)), "image/jpeg")
    with pytest.raises(ReportError) as caught:
        services.submit(submission(landmark=city.landmarks[0], photos=[big]))
    assert caught.value.code == ReportsCode.PHOTO_TOO_LARGE
    assert not Report.objects.exists()


def test_nearby_and_duplicate_link(city, resident):
    first = services.submit(submission(landmark=city.landmarks[0]))
    found = services.nearby_open("streetlight-out", 35.1305, 47.82)
    assert [r.pk for r, _ in found] == [first.pk]
    assert 30 < found[0][1] < 45  # ~37 m apart
    assert services.nearby_open("pothole", 35.1305, 47.82) == []
    assert services.nearby_open("streetlight-out", 35.1600, 47.82) == []
    services.submit(submission(landmark=city.landmarks[1], author=resident,
                               duplicate_of=first.public_id))
    assert Follower.objects.filter(report=first, user=resident).exists()


def test_clerk_workflow_events_and_permissions(city, clerk, other_clerk, resident):
    report = services.submit(submission(landmark=city.landmarks[0], author=resident))
    follower = other_clerk
    services.follow(report, follower)
    assert services.can_handle(clerk, report)
    assert not services.can_handle(other_clerk, report)
    assert not services.can_handle(resident, report)
    with pytest.raises(ReportError) as caught:
        services.change_status(report.pk, other_clerk, Status.ACCEPTED)
    assert caught.value.status == 403
    assert list(services.queue_for(clerk)) == [report]
    assert list(services.queue_for(other_clerk)) == []
    services.change_status(report.pk, clerk, Status.ACCEPTED)
    services.assign(report.pk, clerk, clerk)
    with pytest.raises(ReportError) as caught:
        services.change_status(report.pk, clerk, Status.RESOLVED)
    assert caught.value.code == ReportsCode.NOTE_REQUIRED
    services.change_status(report.pk, clerk, Status.IN_PROGRESS)
    photo = SimpleUploadedFile("fix.png", _png(), "image/png")
    services.change_status(report.pk, clerk, Status.RESOLVED, "Замінено лампу", photo)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.closed_at
    assert report.photos.filter(kind="resolution").count() == 1
    with pytest.raises(ReportError) as caught:
        services.change_status(report.pk, clerk, Status.REJECTED, "x")
    assert caught.value.code == ReportsCode.BAD_TRANSITION
    events = OutboxEvent.objects.filter(name="reports.ReportStatusChanged").order_by("pk")
    assert [(e.payload["previous_status"], e.payload["status"]) for e in events] == [
        ("new", "accepted"), ("accepted", "in_progress"), ("in_progress", "resolved")]
    last = events.last().payload
    assert last["author_user_id"] == resident.pk
    assert last["follower_user_ids"] == [follower.pk]
    assert last["note"] == "Замінено лампу"
    kinds = list(Change.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == ["created", "status", "assigned", "status", "status"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def test_mark_duplicate(city, clerk, resident):
    first = services.submit(submission(landmark=city.landmarks[0]))
    second = services.submit(submission(landmark=city.landmarks[1], author=resident))
    services.mark_duplicate(second.pk, clerk, first.public_id)
    second.refresh_from_db()
    assert second.status == Status.DUPLICATE and second.duplicate_of_id == first.pk
    assert Follower.objects.filter(report=first, user=resident).exists()
    with pytest.raises(ReportError):
        services.mark_duplicate(first.pk, clerk, first.public_id)


def test_moderation_keeps_original(city, resident, django_user_model):
    moderator = make_staff("mod", "moderator")
    report = services.submit(submission(landmark=city.landmarks[0],
                                        description="Дзвоніть 0671234567 Іван"))
    with pytest.raises(ReportError):
        services.moderate(report.pk, resident, public_description="x")
    services.moderate(report.pk, moderator, public_description="Не світить ліхтар")
    report.refresh_from_db()
    assert report.description == "Дзвоніть 0671234567 Іван"
    assert report.shown_description == "Не світить ліхтар"
    services.moderate(report.pk, moderator, hidden=True)
    assert not services.public_reports(services.Filters()).exists()
    assert services.report_summary(report.pk) is None


def test_escalation_once(city, clerk):
    report = services.submit(submission(landmark=city.landmarks[0]))
    assert services.escalate_overdue() == 0
    later = timezone.now() + timezone.timedelta(hours=73)
    assert services.escalate_overdue(later) == 1
    assert services.escalate_overdue(later) == 0
    report.refresh_from_db()
    assert report.escalated_at is not None
    event = OutboxEvent.objects.get(name="reports.ReportOverdue")
    assert event.payload["public_id"] == report.public_id


def test_incident_resolved_resolves_reports(city):
    from misto.core.events import EventEnvelope
    from misto.reports.handlers import resolve_linked_reports

    report = services.submit(submission(landmark=city.landmarks[0]))
    resolve_linked_reports(EventEnvelope(1, "u", "situation.IncidentResolved", {
        "incident_id": 5, "sources": [{"module": "reports", "id": report.pk},
                                      {"module": "iot", "id": 9}],
        "note": "Лінію відновлено"}, timezone.now()))
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.status_note == "Лінію відновлено"


def test_filters(city):
    services.submit(submission(landmark=city.landmarks[0]))
    services.submit(submission(category="pothole", attributes={"size": "small"},
                               landmark=city.landmarks[2]))
    every = services.Filters
    assert services.public_reports(every(category="roads")).count() == 1
    assert services.public_reports(every(district=city.west)).count() == 1
    assert services.public_reports(every(status="open")).count() == 2
    assert services.public_reports(every(status="closed")).count() == 0
    assert services.public_reports(every(bbox=(35.12, 47.81, 35.14, 47.83))).count() == 1
    assert services.in_bbox((35.0, 47.0, 35.05, 47.05)).count() == 0


def test_core_roles_scope_the_queue(city, django_user_model):
    from misto.core.models import StaffAssignment

    light = django_user_model.objects.create_user("light-clerk")
    StaffAssignment.objects.create(user=light, role="clerk", department="light")
    east = django_user_model.objects.create_user("east-clerk", is_staff=True)
    StaffAssignment.objects.create(user=east, role="clerk", district=city.east)
    operator = django_user_model.objects.create_user("operator")
    StaffAssignment.objects.create(user=operator, role="operator")
    moderator = django_user_model.objects.create_user("moderator")
    StaffAssignment.objects.create(user=moderator, role="moderator")
    west_light = services.submit(submission(landmark=city.landmarks[0]))
    east_road = services.submit(submission(category="pothole", attributes={"size": "small"},
                                           landmark=city.landmarks[2]))
    assert list(services.queue_for(light)) == [west_light]
    assert list(services.queue_for(east)) == [east_road]
    assert services.can_handle(light, west_light) and not services.can_handle(light, east_road)
    assert not services.can_handle(east, west_light)  # is_staff does not widen a clerk
    assert services.can_take_calls(operator) and not services.can_handle(operator, east_road)
    assert services.can_moderate(moderator) and not services.can_moderate(light)


def test_a_change_to_the_category_tree_is_seen_at_once_and_a_rolled_back_one_forgotten(city):
    """Submissions read the tree from memory (``services.catalogue``), checked against a
    stamp the database's triggers change with the tables, read on every use: no restart,
    no stale category, question or route after a change, committed or rolled back."""
    from django.db import transaction

    from misto.reports.models import Attribute, Category, CategoryRoute, Department

    def department_of(**kw) -> str | None:
        report = services.submit(submission(category="no-heating", attributes={},
                                            lon="35.16", lat="47.82", **kw))
        return report.department.code if report.department else None

    assert department_of() == "heating"
    other = Department.objects.create(code="boilers", name="Котельні")
    routes = CategoryRoute.objects.filter(category__code="no-heating",
                                          department__code="heating")
    with transaction.atomic():
        routes.update(department=other)
        assert department_of() == "boilers"
        transaction.set_rollback(True)
    assert department_of() == "heating"
    pipes = Department.objects.create(code="pipes", name="Труби")
    with transaction.atomic():
        routes.update(department=other)
        assert department_of() == "boilers"  # the tree is now held under this change's stamp
        transaction.set_rollback(True)
    # Nothing read in between: the next change must not look like the rolled-back one.
    CategoryRoute.objects.filter(category__code="no-heating").update(department=pipes)
    assert department_of() == "pipes"
    category = Category.objects.get(code="no-heating")
    Attribute.objects.create(category=category, code="flat", description="Квартира?",
                             required=True)
    with pytest.raises(ReportError) as missing:
        department_of()
    assert missing.value.code == ReportsCode.MISSING_ATTRIBUTE
    Category.objects.filter(pk=category.pk).update(active=False)  # no signal: still seen
    with pytest.raises(ReportError) as gone:
        services.submit(submission(category="no-heating", attributes={"flat": "1"},
                                   lon="35.16", lat="47.82"))
    assert gone.value.code == ReportsCode.UNKNOWN_CATEGORY
