"""The hot path: idempotent storage, latest state, rules exactly once with hysteresis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.iot.errors import Rejected
from misto.iot.ingest import directory, parse_mqtt
from misto.iot.models import Device, Latest, Reading, RuleState
from misto.iot.services import detect_offline, refresh_aggregates
from misto.iot.storage import store_readings
from misto.iot.tests.conftest import at

pytestmark = pytest.mark.django_db


def events(name):
    return [e.payload for e in OutboxEvent.objects.filter(name=name).order_by("pk")]


def test_store_is_idempotent_and_keeps_latest(devices):
    aq = devices["aq"]
    rows = [(aq.pk, "pm25", at(i), float(10 + i)) for i in range(5)]
    assert store_readings(rows).readings == 5
    store_readings(rows)  # redelivered
    store_readings(rows[:2])  # late duplicates
    assert Reading.objects.filter(device_id=aq.pk).count() == 5
    latest = Latest.objects.get(device=aq, quantity="pm25")
    assert (latest.ts, latest.value) == (at(4), 14.0)
    aq.refresh_from_db()
    assert aq.last_seen is not None


def test_threshold_raises_once_and_clears_with_hysteresis(devices):
    aq = devices["aq"]
    # pm25 rule: above 55 raises, clears only at or below 35.
    values = [20, 60, 70, 54, 56, 40, 36, 35, 60, 30]
    for i, value in enumerate(values):
        store_readings([(aq.pk, "pm25", at(i), float(value))])
    sent = events("iot.ReadingOutOfRange")
    assert [(e["value"], e["cleared"]) for e in sent] == [
        (60.0, False), (35.0, True), (60.0, False), (30.0, True)]
    first = sent[0]
    assert first["device_id"] == "aq-t1" and first["quantity"] == "pm25"
    assert first["threshold"] == 55 and first["public_impact"] is True
    assert first["severity"] == "warning" and first["lon"] == pytest.approx(35.16)
    # Redelivering the whole series raises nothing more.
    store_readings([(aq.pk, "pm25", at(i), float(v)) for i, v in enumerate(values)])
    assert len(events("iot.ReadingOutOfRange")) == 4


def test_one_batch_with_a_crossing_raises_once(devices):
    aq = devices["aq"]
    rows = [(aq.pk, "pm25", at(i), float(v)) for i, v in enumerate([10, 80, 90, 95, 85])]
    store_readings(rows)
    store_readings(rows)
    assert len(events("iot.ReadingOutOfRange")) == 1
    assert RuleState.objects.get(device=aq).active is True


def test_container_full_and_rate_rules(devices):
    bin_ = devices["bin"]
    store_readings([(bin_.pk, "fillingLevel", at(i), float(v))
                    for i, v in enumerate([50, 80, 95, 97])])
    full = events("iot.ContainerFull")
    assert len(full) == 1 and full[0]["value"] == 95.0 and not full[0]["cleared"]
    water = devices["water"]
    # 3.0 -> 2.8 bar in a minute is fine; 2.8 -> 1.0 in a minute is a burst (rate 1.8/min).
    store_readings([(water.pk, "pressure", at(0), 3.0), (water.pk, "pressure", at(1), 2.8),
                    (water.pk, "pressure", at(2), 1.0)])
    sent = events("iot.ReadingOutOfRange")
    kinds = sorted((e["kind"], e["quantity"]) for e in sent)
    assert kinds == [("rate", "pressure"), ("threshold", "pressure")]
    rate = next(e for e in sent if e["kind"] == "rate")
    assert rate["value"] == pytest.approx(1.8) and rate["severity"] == "critical"


def test_offline_once_and_back_online(devices):
    aq = devices["aq"]
    store_readings([(aq.pk, "pm25", at(0), 10.0)])
    later = timezone.now() + timedelta(minutes=31)  # the model's window is 30 minutes
    assert detect_offline(later) == 1
    assert detect_offline(later) == 0
    store_readings([(aq.pk, "pm25", at(1), 10.0)])
    sent = events("iot.DeviceOffline")
    assert [e["back_online"] for e in sent] == [False, True]
    assert Device.objects.get(pk=aq.pk).offline is False


def test_aggregates(devices):
    aq = devices["aq"]
    store_readings([(aq.pk, "pm25", at(i), float(i)) for i in range(10)])
    refresh_aggregates(at(0) - timedelta(hours=1))
    from misto.iot.models import Aggregate

    hours = Aggregate.objects.filter(device_id=aq.pk, period="hour")
    assert sum(h.count for h in hours) == 10
    day = Aggregate.objects.filter(device_id=aq.pk, period="day")
    assert sum(d.total for d in day) == 45.0
    assert min(d.minimum for d in day) == 0.0 and max(d.maximum for d in day) == 9.0


def test_parse_mqtt_checks(devices):
    registry = directory()
    topic = "misto/x/devices/aq-t1/readings"
    ts = at(0).isoformat()
    rows = parse_mqtt(topic, f'{{"ts": "{ts}", "values": {{"pm25": 12}}}}'.encode(), registry)
    assert rows == [(devices["aq"].pk, "pm25", at(0), 12.0)]
    bad = {
        b"not json": "bad_json",
        f'{{"ts": "{ts}", "values": {{"pm25": "12"}}}}'.encode(): "bad_value",
        f'{{"ts": "{ts}", "values": {{"pm25": 1e999}}}}'.encode(): "bad_value",
        f'{{"ts": "{ts}", "values": {{"pm25": 99999}}}}'.encode(): "out_of_range",
        f'{{"ts": "{ts}", "values": {{"speed": 1}}}}'.encode(): "unknown_quantity",
        b'{"ts": "2026-01-01T00:00:00", "values": {"pm25": 1}}': "bad_timestamp",
        f'{{"ts": "{ts}", "payload": "***"}}'.encode(): "bad_base64",
    }
    for payload, reason in bad.items():
        with pytest.raises(Rejected) as caught:
            parse_mqtt(topic, payload, registry)
        assert caught.value.reason == reason, payload
    with pytest.raises(Rejected) as caught:
        parse_mqtt("misto/x/devices/nobody/readings", b"{}", registry)
    assert caught.value.reason == "unknown_device"


def test_devices_stand_in_the_named_city(devices):
    from misto.testing.world import EAST_DISTRICT

    assert {d.district for d in devices.values()} == {EAST_DISTRICT}
