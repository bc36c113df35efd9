"""Incidents are built from events: what belongs together becomes one incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from misto.situation import services
from misto.situation.models import (
    DeviceState,
    Emergency,
    Incident,
    IncidentKind,
    IncidentSource,
    Severity,
    Status,
)
from misto.situation.tests.conftest import (
    EAST_DISTRICT,
    ON_LESI,
    ON_SHEVCHENKA,
    ON_SHEVCHENKA_60M,
    WEST_DISTRICT,
    deliver_situation,
    publish_raw,
    reading_payload,
    report_payload,
)

pytestmark = pytest.mark.django_db


def test_reading_and_report_in_the_same_street_become_one_incident(city):
    publish_raw("iot.ReadingOutOfRange", reading_payload("p-1", *ON_SHEVCHENKA))
    publish_raw("reports.ReportCreated", report_payload(101, *ON_SHEVCHENKA_60M))
    assert deliver_situation() == 2
    incident = Incident.objects.get()
    assert incident.kind.code == "water"
    assert incident.sources == [{"module": "iot", "id": "p-1:water_pressure"},
                                {"module": "reports", "id": "101"}]
    assert incident.source_rows.count() == 2
    assert incident.severity == Severity.CRITICAL  # the sensor's, the higher one
    assert incident.status == Status.OPEN
    assert incident.district == WEST_DISTRICT
    assert incident.district_name == "Західний район"
    assert incident.address.startswith("Шевченка")
    assert incident.landmark.startswith("12-")
    assert [u.action for u in incident.updates.all()] == ["opened", "source"]


def test_far_apart_makes_two_incidents(city):
    publish_raw("iot.ReadingOutOfRange", reading_payload("p-1", *ON_SHEVCHENKA))
    publish_raw("reports.ReportCreated", report_payload(102, *ON_LESI))  # 1.1 km north
    deliver_situation()
    assert Incident.objects.count() == 2
    assert sorted(len(i.sources) for i in Incident.objects.all()) == [1, 1]


def test_outside_the_time_window_makes_two_incidents(city):
    kind = IncidentKind.objects.get(code="water")
    earlier = timezone.now() - timedelta(minutes=kind.window_minutes + 5)
    publish_raw("iot.ReadingOutOfRange",
                reading_payload("p-1", *ON_SHEVCHENKA, observed_at=earlier.isoformat()))
    publish_raw("reports.ReportCreated", report_payload(103, *ON_SHEVCHENKA_60M))
    deliver_situation()
    assert Incident.objects.count() == 2


def test_inside_a_tuned_window_is_one_and_outside_a_tuned_radius_is_two(city):
    IncidentKind.objects.filter(code="water").update(radius_m=30, window_minutes=600)
    earlier = timezone.now() - timedelta(minutes=500)
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA,
                                            observed_at=earlier.isoformat()))
    services.ingest_report_created(report_payload(104, ON_SHEVCHENKA[0] + 0.0002,
                                                  ON_SHEVCHENKA[1]))  # 15 m
    services.ingest_report_created(report_payload(105, *ON_SHEVCHENKA_60M))  # 60 m
    assert Incident.objects.count() == 2
    first = Incident.objects.order_by("pk").first()
    assert first is not None and len(first.sources) == 2


def test_different_kinds_stay_apart(city):
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA))
    services.ingest_report_created(report_payload(106, *ON_SHEVCHENKA, category="pothole"))
    assert sorted(Incident.objects.values_list("kind__code", flat=True)) == ["roads", "water"]


def test_same_street_rule(city):
    IncidentKind.objects.filter(code="water").update(same_street=True, radius_m=300)
    services.ingest_report_created(report_payload(107, 35.1300, 47.8201))  # Шевченка 1
    services.ingest_report_created(report_payload(108, 35.1306, 47.8194))  # Козацька 2
    services.ingest_report_created(report_payload(109, 35.1309, 47.8201))  # Шевченка 3
    incidents = list(Incident.objects.order_by("pk"))
    assert len(incidents) == 2
    assert [s["id"] for s in incidents[0].sources] == ["107", "109"]
    assert [s["id"] for s in incidents[1].sources] == ["108"]


def test_the_same_alert_again_refreshes_instead_of_adding(city):
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA, severity="warning"))
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA, severity="critical"))
    incident = Incident.objects.get()
    assert incident.source_rows.count() == 1
    assert incident.severity == Severity.CRITICAL


def test_cleared_reading_resolves_an_untouched_sensor_incident(city):
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA))
    assert DeviceState.objects.get(device_id="p-1").state == "alert"
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA, cleared=True))
    incident = Incident.objects.get()
    assert incident.status == Status.RESOLVED
    assert DeviceState.objects.get(device_id="p-1").state == "ok"


def test_cleared_reading_keeps_an_incident_with_a_report_open(city):
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA))
    services.ingest_report_created(report_payload(110, *ON_SHEVCHENKA_60M))
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA, cleared=True))
    assert Incident.objects.get().status == Status.OPEN


def test_report_closed_by_its_department_resolves_a_report_only_incident(city):
    services.ingest_report_created(report_payload(111, *ON_SHEVCHENKA))
    services.ingest_report_status({**report_payload(111, *ON_SHEVCHENKA), "status": "resolved",
                                   "previous_status": "in_progress", "note": "Полагоджено",
                                   "changed_at": timezone.now().isoformat()})
    incident = Incident.objects.get()
    assert incident.status == Status.RESOLVED
    assert incident.updates.filter(data__report_status="resolved").exists()


def test_device_offline_and_back(city):
    services.ingest_device_offline({"device_id": "cam-9", "device_name": "Камера 9",
                                    "district": EAST_DISTRICT, "lon": 35.17, "lat": 47.82,
                                    "last_seen": timezone.now().isoformat(),
                                    "back_online": False})
    incident = Incident.objects.get()
    assert incident.kind.code == "device"
    assert DeviceState.objects.get(device_id="cam-9").state == "offline"
    services.ingest_device_offline({"device_id": "cam-9", "device_name": "Камера 9",
                                    "district": EAST_DISTRICT, "lon": 35.17, "lat": 47.82,
                                    "last_seen": None, "back_online": True})
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert DeviceState.objects.get(device_id="cam-9").state == "ok"


def test_events_without_coordinates_or_with_garbage_do_not_fail(city):
    services.ingest_reading(reading_payload("p-2", None, None))
    services.ingest_report_created(report_payload(112, "x", "y", created_at="not a time"))
    assert Incident.objects.count() == 2
    assert not Incident.objects.filter(lon__isnull=False).exists()


def test_emergency_outage_makes_an_emergency_and_an_incident(city):
    area = {"type": "Polygon", "coordinates": [[[35.128, 47.819], [35.134, 47.819],
                                                [35.134, 47.823], [35.128, 47.823],
                                                [35.128, 47.819]]]}
    services.ingest_report_created(report_payload(113, *ON_SHEVCHENKA, category="heating"))
    publish_raw("notifications.OutageAnnounced", {
        "announcement_id": "a-1", "kind": "heating", "emergency": True,
        "starts_at": timezone.now().isoformat(), "ends_at": None,
        "districts": [WEST_DISTRICT], "area_geojson": area, "building_count": 3,
        "title": "Порив тепломережі на Шевченка"})
    deliver_situation()
    emergency = Emergency.objects.get()
    assert emergency.announcement_id == "a-1"
    heating = Incident.objects.filter(kind__code="heating").order_by("pk")
    assert {i.emergency_id for i in heating} == {emergency.pk}
    assert IncidentSource.objects.filter(module="notifications", source_id="a-1").exists()
    assert services.affected_buildings(emergency)[0] == 3
