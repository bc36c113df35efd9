"""Submitting validates everything it stores: what is too long is refused with a reason,
never cut silently when the report is written (issue 16, item 4)."""

from __future__ import annotations

import pytest

from misto.core.models import OutboxEvent
from misto.reports import services
from misto.reports.errors import ReportError, ReportErrors, ReportsCode
from misto.reports.models import Contact, Report

pytestmark = pytest.mark.django_db


def submission(city, **kw):
    base = {"category": "streetlight-out", "description": "Темно",
            "attributes": {"how_many": "2"}, "landmark": city.landmarks[0]}
    base.update(kw)
    return services.Submission(**base)


@pytest.mark.parametrize("kw,code,field", [
    ({"contact_name": "Н" * 201}, ReportsCode.BAD_CONTACT, "contact_name"),
    ({"contact_phone": "0" * 41}, ReportsCode.BAD_CONTACT, "contact_phone"),
    ({"contact_email": "a" * 250 + "@x.ua"}, ReportsCode.BAD_CONTACT, "contact_email"),
    ({"media_url": "https://example.org/" + "p" * 481}, ReportsCode.BAD_REQUEST, "media_url"),
    ({"landmark": "", "lon": "35.13", "lat": "47.82", "address": "вулиця " * 50},
     ReportsCode.BAD_REQUEST, "address"),
])
def test_too_long_input_is_refused_not_truncated(city, kw, code, field):
    with pytest.raises(ReportError) as caught:
        services.submit(submission(city, **kw))
    found = {(error.code, error.field) for error in getattr(caught.value, "errors",
                                                           [caught.value])}
    assert (code, field) in found
    assert caught.value.message
    assert not Report.objects.exists()
    assert not OutboxEvent.objects.filter(name__startswith="reports.").exists()


def test_input_at_the_limits_is_stored_whole(city):
    email = "a" * 249 + "@x.ua"
    url = "https://example.org/" + "p" * 480
    report = services.submit(submission(
        city, contact_name="Н" * 200, contact_phone="0" * 40, contact_email=email,
        media_url=url))
    contact = Contact.objects.get(report=report)
    assert (contact.name, contact.phone, contact.email) == ("Н" * 200, "0" * 40, email)
    assert Report.objects.get(pk=report.pk).media_url == url


def test_several_problems_are_reported_together(city):
    with pytest.raises(ReportError) as caught:
        services.submit(submission(city, description=" ", contact_phone="0" * 41))
    fields = {error.field for error in getattr(caught.value, "errors", [caught.value])}
    assert {"description", "contact_phone"} <= fields


def test_several_problems_keep_each_in_the_api_body(city):
    with pytest.raises(ReportErrors) as caught:
        services.submit(services.Submission(category="", description=""))
    body = caught.value.api_body()
    assert body["error"] == ReportsCode.UNKNOWN_CATEGORY and body["detail"]
    assert {(e["error"], e["field"]) for e in body["errors"]} >= {
        (ReportsCode.UNKNOWN_CATEGORY, "category"), (ReportsCode.NO_DESCRIPTION, "description"),
        (ReportsCode.NO_LOCATION, "location")}
    assert caught.value.errors[0].message in ("Оберіть категорію.", "Choose a category.")


def test_a_report_received_earlier_carries_that_time_everywhere(city):
    from datetime import timedelta

    from django.utils import timezone

    earlier = timezone.now() - timedelta(days=3)
    report = services.submit(submission(city, received_at=earlier))
    assert report.created_at == earlier
    assert report.due_at == earlier + timedelta(hours=report.category.sla_hours)
    event = OutboxEvent.objects.get(name="reports.ReportCreated")
    assert event.payload["created_at"] == earlier.isoformat()
    with pytest.raises(ReportError) as caught:
        services.submit(submission(city, received_at=timezone.now() + timedelta(hours=1)))
    assert caught.value.field == "received_at"
    assert Report.objects.count() == 1
