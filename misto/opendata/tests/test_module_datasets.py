"""The datasets the other modules declare (sensors, devices, incidents, outages, the ledger),
each on a little data of its own and with nothing personal or private in it; and
regeneration driven by their events (stale, then the task)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from misto.core import outbox
from misto.opendata import services
from misto.opendata.models import Dataset, Resource
from misto.opendata.tasks import regenerate_stale
from misto.testing import world

pytestmark = pytest.mark.django_db


def _rows(dataset: str, table: str) -> list[dict[str, Any]]:
    return json.loads(Resource.objects.get(dataset__name=dataset, table=table,
                                           format="JSON").content)


def _sensors() -> tuple[Any, Any]:
    from misto.iot.models import Aggregate, Device, DeviceModel, Quantity

    Quantity.objects.get_or_create(code="pm25", defaults={"name_uk": "PM2.5",
                                                          "unit_label": "мкг/м³"})
    model = DeviceModel.objects.create(code="air", name="Повітря", quantities=["pm25"],
                                       entity_type="AirQualityObserved")
    west = [Device.objects.create(uid=f"air-{n}", name=f"Повітря {n}", model=model,
                                  district=world.WEST_DISTRICT, owner_department="it")
            for n in range(2)]
    private = Device.objects.create(uid="air-private", name="Службовий", model=model,
                                    district=world.WEST_DISTRICT, public=False)
    hour = (timezone.now() - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    for device, total in ((west[0], 600.0), (west[1], 1200.0), (private, 99_000.0)):
        Aggregate.objects.create(device_id=device.pk, quantity="pm25", period="hour",
                                 start=hour, count=60, total=total, minimum=1.0,
                                 maximum=40.0)
    old = hour - timedelta(days=40)  # outside the window
    Aggregate.objects.create(device_id=west[0].pk, quantity="pm25", period="hour", start=old,
                             count=1, total=5.0, minimum=5.0, maximum=5.0)
    return west, private


def test_sensor_hourly_means_per_quantity_and_district_public_sensors_only() -> None:
    _sensors()
    assert services.regenerate(["sensor-readings-hourly", "sensor-devices"]) == {
        "sensor-readings-hourly": "version 1", "sensor-devices": "version 1"}
    rows = _rows("sensor-readings-hourly", "hourly")
    assert len(rows) == 1
    row = rows[0]
    assert (row["quantity"], row["district"], row["sensors"], row["readings"]) == (
        "pm25", world.WEST_DISTRICT, 2, 120)
    assert row["mean"] == 15.0 and row["unit"] == "мкг/м³"  # (600 + 1200) / 120
    assert set(row) == {"hour", "quantity", "quantity_name", "unit", "district", "sensors",
                        "readings", "mean", "minimum", "maximum"}
    devices = _rows("sensor-devices", "devices")
    assert [device["id"] for device in devices] == ["air-0", "air-1"]
    csv = Resource.objects.get(dataset__name="sensor-devices", format="CSV").content
    assert "air-private" not in csv and "token" not in csv.splitlines()[0]


def test_resolved_incidents_counted_by_month_small_counts_suppressed() -> None:
    from misto.situation.models import Incident, IncidentKind, Status

    kind = IncidentKind.objects.create(code="leak", title_uk="Витік", title_en="Leak",
                                       resolution_target_minutes=240)
    now = timezone.now()
    for hours, district in ((1, "A"), (2, "A"), (6, "A"), (3, "B")):
        Incident.objects.create(kind=kind, title="Витік на вул. Шевченка, 1 (Іван Петренко)",
                                status=Status.RESOLVED, district=district,
                                district_name=f"Район {district}", address="Шевченка, 1",
                                opened_at=now - timedelta(hours=hours), resolved_at=now)
    Incident.objects.create(kind=kind, title="Відкритий", district="A")
    assert services.regenerate(["incidents-resolved"]) == {"incidents-resolved": "version 1"}
    rows = {row["district"]: row for row in _rows("incidents-resolved", "monthly")}
    assert rows["A"]["resolved"] == 3 and rows["A"]["mean_hours"] == 3.0
    assert rows["A"]["within_target"] == 2 and rows["A"]["kind_title_en"] == "Leak"
    assert rows["B"]["resolved"] is None and rows["B"]["mean_hours"] is None
    content = Resource.objects.get(dataset__name="incidents-resolved", format="CSV").content
    assert "Шевченка" not in content and "Петренко" not in content


def test_published_outages_with_their_area_and_no_author() -> None:
    from django.contrib.auth import get_user_model

    from misto.notifications.models import Announcement, Kind, Status, Target

    author = get_user_model().objects.create(username="dispatcher", first_name="Олена",
                                             last_name="Диспетчерська")
    area = MultiPolygon(Polygon.from_bbox((35.10, 47.80, 35.12, 47.82)), srid=4326)
    outage = Announcement.objects.create(
        kind=Kind.OUTAGE, outage_type="water", title_uk="Немає води", target=Target.AREA,
        area=area, building_count=12, starts_at=timezone.now(), status=Status.PUBLISHED,
        created_by=author, approved_by=author)
    Announcement.objects.create(title_uk="Чернетка", target=Target.CITY, status=Status.DRAFT)
    assert services.regenerate(["outages-and-announcements"]) == {
        "outages-and-announcements": "version 1"}
    rows = _rows("outages-and-announcements", "announcements")
    assert [(row["id"], row["outage_type"], row["buildings"]) for row in rows] == [
        (outage.pk, "water", 12)]
    geojson = json.loads(Resource.objects.get(dataset__name="outages-and-announcements",
                                              format="GeoJSON").content)
    assert geojson["features"][0]["geometry"]["type"] == "MultiPolygon"
    everything = "".join(Resource.objects.filter(dataset__name="outages-and-announcements")
                         .values_list("content", flat=True))
    assert "Диспетчерська" not in everything and "Чернетка" not in everything


def test_ledger_heads_and_entries_per_day() -> None:
    from misto.ledger.services.appending import append
    from misto.ledger.services.heads import issue_head
    from misto.ledger.services.tree import integrate_pending

    for n in range(3):
        append("opendata.test", {"n": n})
    integrate_pending()
    head = issue_head(force=True)
    assert head is not None
    assert services.regenerate(["ledger"]) == {"ledger": "version 1"}
    heads = _rows("ledger", "heads")
    assert heads[-1]["tree_size"] == head.tree_size == 3 and heads[-1]["root_hash"]
    entries = _rows("ledger", "entries-per-day")
    assert sum(row["entries"] for row in entries if row["kind"] == "opendata.test") == 3


def test_an_event_marks_its_dataset_stale_and_the_task_regenerates_it() -> None:
    from misto.iot.models import DeviceModel
    from misto.iot.services import register_device

    world.build_city()
    DeviceModel.objects.create(code="noise", name="Шум", quantities=["noise"])
    assert services.regenerate(["sensor-devices"]) == {"sensor-devices": "version 1"}
    assert "sensor-devices" in services.stale_on()["iot.DeviceRegistryChanged"]
    register_device("noise-1", "Шумомір", "noise", lon=35.12, lat=47.82)
    while outbox.deliver_due():
        pass
    assert services.stale() == ["sensor-devices"]
    assert DBTaskResult.objects.filter(task_path=regenerate_stale.module_path).count() == 1
    register_device("noise-2", "Шумомір 2", "noise", lon=35.16, lat=47.82)
    while outbox.deliver_due():
        pass  # already stale: no second task
    assert DBTaskResult.objects.filter(task_path=regenerate_stale.module_path).count() == 1
    assert regenerate_stale.call() == {"sensor-devices": "version 2"}
    assert services.stale() == []
    assert [row["id"] for row in _rows("sensor-devices", "devices")] == ["noise-1", "noise-2"]
    assert _rows("sensor-devices", "devices")[0]["district"] == world.WEST_DISTRICT
    assert Dataset.objects.get(name="sensor-devices").stale_since is None


def test_big_tables_are_also_parquet_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.test import Client

    from misto.opendata.services import tables

    _sensors()
    assert services.regenerate(["sensor-readings-hourly"]) == {
        "sensor-readings-hourly": "version 1"}
    assert not Resource.objects.filter(format="Parquet").exists()  # one row: not big
    monkeypatch.setattr(tables, "PARQUET_MIN_ROWS", 1)
    Dataset.objects.filter(name="sensor-readings-hourly").delete()
    services.regenerate(["sensor-readings-hourly"])
    response = Client().get("/opendata/sensor-readings-hourly/hourly.parquet")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.schema.field("hour").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("sensors").type == pa.int64()
    assert table.schema.field("mean").metadata == {b"title": "Середнє".encode(),
                                                   b"description": b"Mean"}
    assert table.to_pylist()[0]["mean"] == 15.0
    found = Client().get("/api/3/action/package_show", {"id": "sensor-readings-hourly"})
    formats = {resource["format"]: resource["mimetype"]
               for resource in found.json()["result"]["resources"]}
    assert formats["Parquet"] == "application/vnd.apache.parquet"


def test_the_page_previews_a_time_series_as_a_chart_and_geodata_on_a_map() -> None:
    from django.test import Client

    from misto.iot.models import Aggregate

    west, _private = _sensors()
    earlier = Aggregate.objects.get(device_id=west[0].pk, total=600.0).start \
        - timedelta(hours=1)
    Aggregate.objects.create(device_id=west[0].pk, quantity="pm25", period="hour",
                             start=earlier, count=60, total=300.0, minimum=1.0, maximum=9.0)
    services.regenerate(["sensor-readings-hourly", "sensor-devices"])
    page = Client().get("/opendata/sensor-readings-hourly/").content.decode()
    assert "<svg" in page and page.count("<polyline") == 1
    assert "<title" in page and "mean" in page  # the summary names the column
    assert 'id="od-map"' not in page  # no geometry, no map
    devices = Client().get("/opendata/sensor-devices/").content.decode()
    assert 'id="od-map"' in devices and "devices.geojson?preview=1" in devices
    assert "<polyline" not in devices  # not a time series
    assert "Наука і технології" in devices and "щодня" in devices  # labels, not TECH, DAILY
    assert ">Наука і технології</a> (1)" in Client().get("/opendata/").content.decode()
    assert Client().get("/opendata/sensor-devices/devices.geojson",
                        {"preview": "1"}).status_code == 200
    assert Resource.objects.get(dataset__name="sensor-devices", format="GeoJSON").downloads == 0
