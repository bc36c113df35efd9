"""Response-time figures on the dashboard equal those computed independently from the
incidents' history."""

from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.situation import services
from misto.situation.models import Incident, IncidentKind, IncidentUpdate
from misto.situation.services import figures
from misto.situation.tests.conftest import (
    EAST_DISTRICT,
    WEST_DISTRICT,
    deliver_situation,
    publish_raw,
    reading_payload,
    report_payload,
)

pytestmark = pytest.mark.django_db


def at(when):
    return mock.patch("django.utils.timezone.now", return_value=when)


def build_history(people) -> None:
    """Twenty incidents of three kinds over the last ten days, assigned and resolved after
    random delays (some never), with the clock moved for each step."""
    rng = random.Random(1580)
    start = timezone.now() - timedelta(days=10)
    for i in range(20):
        opened = start + timedelta(hours=11 * i, minutes=rng.randint(0, 59))
        lon, lat = 35.105 + 0.004 * i, 47.805 + 0.002 * i  # far apart: one incident each
        with at(opened):
            if i % 3 == 0:
                services.ingest_reading(reading_payload(f"d-{i}", lon, lat,
                                                        observed_at=opened.isoformat()))
            else:
                category = "pothole" if i % 3 == 1 else "streetlight"
                services.ingest_report_created(report_payload(
                    300 + i, lon, lat, category=category, created_at=opened.isoformat()))
        incident = Incident.objects.order_by("-pk").first()
        assert incident is not None
        if i % 7 == 6:
            continue  # never assigned
        assigned = opened + timedelta(minutes=rng.randint(3, 300), seconds=rng.randint(0, 59))
        with at(assigned):
            services.assign(incident.pk, people.dispatcher, crew_id=people.crew.pk)
        if i % 4 == 3:
            continue  # assigned, not resolved yet
        resolved = assigned + timedelta(minutes=rng.randint(10, 2000))
        with at(resolved):
            services.change_status(incident.pk, people.crew_member, "resolved", note="done")


def independent_figures() -> dict[str, dict[str, float | int | None]]:
    """From IncidentUpdate rows only: opened = the 'opened' row, response ends at the first
    'assigned' row, resolution at the 'resolved' status row."""
    targets = {k.code: (k.response_target_minutes, k.resolution_target_minutes)
               for k in IncidentKind.objects.all()}
    per: dict[str, dict[str, list[tuple[float, bool]]]] = {}
    for incident in Incident.objects.select_related("kind"):
        history = list(IncidentUpdate.objects.filter(incident=incident).order_by("at", "pk"))
        opened = next(u.at for u in history if u.action == "opened")
        assigned = next((u.at for u in history if u.action == "assigned"), None)
        resolved = next((u.at for u in history if u.status == "resolved"), None)
        code = incident.kind.code
        for key in (code, "all"):
            bucket = per.setdefault(key, {"n": [], "response": [], "resolution": []})
            bucket["n"].append((0.0, True))
            if assigned is not None:
                minutes = (assigned - opened).total_seconds() / 60
                bucket["response"].append((minutes, minutes <= targets[code][0]))
            if resolved is not None:
                minutes = (resolved - opened).total_seconds() / 60
                bucket["resolution"].append((minutes, minutes <= targets[code][1]))
    out: dict[str, dict[str, float | int | None]] = {}
    for key, bucket in per.items():
        row: dict[str, float | int | None] = {"opened": len(bucket["n"])}
        for name in ("response", "resolution"):
            values = [m for m, _ok in bucket[name]]
            row[f"{name}_count"] = len(values)
            row[f"{name}_median"] = round(statistics.median(values), 1) if values else None
            row[f"{name}_mean"] = round(sum(values) / len(values), 1) if values else None
            row[f"{name}_within"] = (round(100 * sum(ok for _m, ok in bucket[name])
                                           / len(values), 1) if values else None)
        out[key] = row
    return out


def test_dashboard_figures_equal_the_history(city, people):
    build_history(people)
    expected = independent_figures()
    assert expected["all"]["response_count"] and expected["all"]["resolution_count"]

    client = Client()
    client.force_login(people.dispatcher)
    data = json.loads(client.get("/api/situation/dashboard").content)
    got = {row["code"]: row for row in data["response_times"]}
    assert set(got) == set(expected)
    for code, row in expected.items():
        api = got[code]
        assert api["opened"] == row["opened"], code
        assert api["assigned"] == row["response_count"], code
        assert api["resolved"] == row["resolution_count"], code
        for name in ("response", "resolution"):
            for stat in ("median", "mean", "within"):
                assert api[f"{name}_{stat}"] == row[f"{name}_{stat}"], (code, name, stat)

    html = client.get("/situation/dashboard/").content.decode()
    total = re.search(r'<tr data-kind="all".*?</tr>', html, re.S)
    assert total is not None
    cells = dict(re.findall(r'data-figure="([a-z-]+)"[^>]*>([^<]*)<', total.group(0)))
    assert cells["response-median"] == str(expected["all"]["response_median"])
    assert cells["response-mean"] == str(expected["all"]["response_mean"])
    assert cells["response-within"] == f'{expected["all"]["response_within"]}%'
    assert cells["resolution-median"] == str(expected["all"]["resolution_median"])


def test_dashboard_counts(city, people):
    services.ingest_report_created(report_payload(401, 35.12, 47.81))
    services.ingest_report_created(report_payload(402, 35.17, 47.81, category="pothole"))
    services.ingest_reading(reading_payload("air-1", 35.16, 47.83, quantity="pm25",
                                            value=70, threshold=35, severity="warning"))
    services.ingest_device_offline({"device_id": "cam-1", "device_name": "cam", "district": None,
                                    "lon": 35.18, "lat": 47.84, "last_seen": None,
                                    "back_online": False})
    for uid in ("air-1", "new-1", "new-2", "gone-1"):
        services.ingest_device_registry({"device_id": uid, "action": "created",
                                         "content_hash": "x", "version": 1,
                                         "status": "active"})
    services.ingest_device_registry({"device_id": "gone-1", "action": "changed",
                                     "content_hash": "y", "version": 2, "status": "inactive"})
    board = services.dashboard()
    assert board.open_total == 4
    assert board.reports_today == 2
    # new-1 and new-2 are registered and never heard from: silent, not online (issue 15)
    assert board.devices_total == 4 and board.devices_online == 1
    assert board.devices_silent == 3
    assert board.devices_alerting == 1
    assert {bar.key for bar in board.by_kind} == {"water", "roads", "air", "device"}
    assert sum(bar.value for bar in board.by_district) == 4
    air = [row for row in board.environment if row["air"]]
    assert air and air[0]["air_alerts"] == 1 and air[0]["air_max"] == 70
    assert board.trend_opened[-1].value == 4


# --- Every figure against an independent recount of the page it summarises (issue 15) ---


def _registry(uid: str, status: str = "active") -> dict:
    return {"device_id": uid, "action": "created", "content_hash": uid, "version": 1,
            "status": status}


def _offline(uid: str, back: bool) -> dict:
    return {"device_id": uid, "device_name": uid, "district": None, "lon": 35.18,
            "lat": 47.84, "last_seen": None, "back_online": back}


def build_picture(people) -> None:
    """Reports (two the day before in the city, around its midnight), alerts, devices in
    every state, an assigned and a resolved incident, a current and an ended outage, an
    emergency; the events go through the outbox, as in production."""
    midnight = figures.local_midnight()
    reports = [(501, midnight + timedelta(minutes=10)), (502, timezone.now()),
               (503, midnight - timedelta(minutes=10)), (504, midnight - timedelta(hours=5))]
    for report_id, created in reports:
        publish_raw("reports.ReportCreated", report_payload(
            report_id, 35.105 + 0.01 * (report_id - 500), 47.805,
            category="pothole" if report_id % 2 else "water",
            created_at=min(created, timezone.now()).isoformat()))
    publish_raw("iot.ReadingOutOfRange", reading_payload("air-1", 35.16, 47.83,
                                                         quantity="pm25", value=70,
                                                         threshold=35, severity="warning"))
    publish_raw("iot.ReadingOutOfRange", reading_payload("p-1", 35.13, 47.82))
    publish_raw("iot.ReadingOutOfRange", reading_payload("p-1", 35.13, 47.82, cleared=True))
    publish_raw("iot.DeviceOffline", _offline("cam-1", back=False))
    publish_raw("iot.DeviceOffline", _offline("cam-2", back=False))
    publish_raw("iot.DeviceOffline", _offline("cam-2", back=True))
    for uid in ("air-1", "p-1", "cam-1", "cam-2", "never-1", "never-2", "gone-1"):
        publish_raw("iot.DeviceRegistryChanged", _registry(uid))
    publish_raw("iot.DeviceRegistryChanged", _registry("gone-1", status="inactive"))
    now = timezone.now()
    for announcement, ends in (("out-1", now + timedelta(hours=3)),
                               ("out-2", now - timedelta(hours=1))):
        publish_raw("notifications.OutageAnnounced", {
            "announcement_id": announcement, "kind": "water", "emergency": False,
            "title": "Вода", "districts": [WEST_DISTRICT], "area_geojson": None,
            "starts_at": (now - timedelta(hours=2)).isoformat(), "ends_at": ends.isoformat(),
            "building_count": 3})
    deliver_situation()
    first, second = Incident.objects.order_by("pk")[:2]
    services.assign(first.pk, people.dispatcher, crew_id=people.crew.pk)
    services.assign(second.pk, people.dispatcher, department="roads")
    services.change_status(second.pk, people.dispatcher, "resolved", note="done")
    services.declare_emergency(people.dispatcher, title="Аварія", districts=[EAST_DISTRICT])


def _features(client: Client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    return json.loads(response.content)["features"]


def test_every_dashboard_figure_equals_a_recount_of_its_page(city, people):
    build_picture(people)
    client = Client()
    client.force_login(people.dispatcher)
    # a request in another time zone still counts the city's day
    with timezone.override("America/New_York"):
        board = json.loads(client.get("/api/situation/dashboard").content)
    html = client.get("/situation/dashboard/").content.decode()
    shown = dict(re.findall(r'data-figure="([a-z-]+)">([^<]*)<', html))

    # open incidents: the live map's active incidents
    active = [f["properties"] for f in _features(client, "/api/situation/incidents")]
    assert board["open_total"] == len(active) == int(shown["open"]) > 0
    assert {row["kind"]: row["count"] for row in board["open_by_kind"]} == \
        Counter(p["kind"] for p in active)
    assert {row["district"]: row["count"] for row in board["open_by_district"]} == \
        Counter(p["district"] for p in active)
    assert board["open_by_severity"] == {level: sum(p["severity"] == level for p in active)
                                         for level in ("info", "warning", "critical")}
    assert int(shown["critical"]) == board["open_by_severity"]["critical"]

    # devices: the devices layer, state by state
    states = Counter(f["properties"]["state"]
                     for f in _features(client, "/api/situation/devices"))
    assert states == {"alert": 1, "ok": 2, "offline": 1, "never": 2}
    assert board["devices"] == {"total": sum(states.values()),
                                "online": states["ok"] + states["alert"],
                                "silent": states["never"] + states["offline"],
                                "alerting": states["alert"]}
    assert shown["devices-online"] == f'{board["devices"]["online"]} / {board["devices"]["total"]}'
    assert shown["devices-alerting"] == str(board["devices"]["alerting"])

    # reports today: the ReportCreated events in the outbox created since the city's midnight
    city_zone = ZoneInfo("Europe/Kyiv")
    today = timezone.now().astimezone(city_zone).date()
    created = [datetime.fromisoformat(e.payload["created_at"]).astimezone(city_zone).date()
               for e in OutboxEvent.objects.filter(name="reports.ReportCreated")]
    assert board["reports_today"] == sum(day == today for day in created) == 2
    assert shown["reports-today"] == "2"

    # current outages: the outages layer; emergencies: the active ones in the list
    current = _features(client, "/api/situation/outages")
    assert board["outages_current"] == len(current) == int(shown["outages"]) == 1
    listed = json.loads(client.get("/api/situation/emergencies").content)["emergencies"]
    assert [e["id"] for e in board["emergencies"]] == [e["id"] for e in listed if e["active"]]

    # the trend: every incident's opening and resolution, by the city's day
    everything = [f["properties"] for f in _features(client, "/api/situation/incidents?status=all")]

    def per_day(field: str) -> Counter[str]:
        return Counter(datetime.fromisoformat(p[field].replace("Z", "+00:00"))
                       .astimezone(city_zone).date().isoformat()
                       for p in everything if p[field])

    opened, resolved = per_day("opened_at"), per_day("resolved_at")
    for row in board["trend"]:
        assert (row["opened"], row["resolved"]) == (opened[row["day"]], resolved[row["day"]])
    assert sum(row["opened"] for row in board["trend"]) == sum(opened.values())
