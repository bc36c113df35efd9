"""A thousand malformed payloads over MQTT and HTTP: each a dead letter, nothing else changes."""

import base64
import json
import random

import pytest
from django.test import Client

from misto.conftest import wait_for
from misto.core.models import OutboxEvent
from misto.iot.models import DeadLetter, Device, Latest, Reading
from misto.iot.services import create_integration
from misto.iot.tests.conftest import at, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def bad_readings(rng: random.Random, binary: bool) -> object:
    """One reading object (or a whole body) that must be refused."""
    ts = at(rng.randint(0, 60)).isoformat()
    good = {"ts": ts, "values": {"pm25": 10.0}}
    kind = rng.randrange(16)
    if kind == 0:
        return {"ts": ts, "values": {"pm25": rng.choice(["12", None, [1], {"v": 1}, True])}}
    if kind == 1:
        return {"ts": ts, "values": {"pm25": rng.choice([1e300, -1e300, 10**400, 99999])}}
    if kind == 2:
        return {"ts": rng.choice([12345, None, "yesterday", "2026-01-01T00:00:00",
                                  "2999-01-01T00:00:00Z", "1999-01-01T00:00:00Z",
                                  "2026-13-45T99:00:00Z"]), "values": {"pm25": 1}}
    if kind == 3:
        return {"ts": ts, "values": rng.choice([{}, [], "pm25=1", None, 42])}
    if kind == 4:
        return {"ts": ts, "values": {"".join(rng.choices("xyzq_", k=8)): 1.0}}
    if kind == 5:
        return {**good, "extra": rng.random()}
    if kind == 6:
        return {"ts": ts}
    if kind == 7:
        return {"ts": ts, "payload": rng.choice(["!!!", "abc", "%%%%", "QUJD=x", 123, None])}
    if kind == 8:  # valid base64, not a valid Cayenne LPP frame (or given to a JSON model)
        frame = rng.choice([b"\x01", b"\x01\x67", b"\x01\xfe\x00\x00", b"\x03\x67\x01"])
        return {"ts": ts, "payload": base64.b64encode(frame).decode()}
    if kind == 9:
        return {**good, "payload": base64.b64encode(b"\x01\x78\x10").decode()}
    if kind == 10:
        return rng.choice([None, 1, "x", True])
    if kind == 11:
        return [good] * rng.randint(1, 3) + [{"ts": ts, "values": {"pm25": "bad"}}]
    if kind == 12:
        return {"ts": ts, "values": {"pm25": float("nan")}}
    if kind == 13:
        return {"ts": ts, "values": {f"q{i}": 1 for i in range(150)}}
    if kind == 14:
        return []
    return {"ts": ts, "values": {"pm25": -5.0}}  # below the quantity's plausible range


def bad_body(rng: random.Random, binary: bool) -> bytes:
    choice = rng.randrange(10)
    if choice == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 60)))
    if choice == 1:
        text = json.dumps({"ts": at(1).isoformat(), "values": {"pm25": 1}})
        return text[: rng.randint(0, len(text) - 1)].encode()
    if choice == 2:
        return b"[" * 50_000
    body = json.dumps(bad_readings(rng, binary), allow_nan=True).encode()
    return body


def kind_of(body: bytes) -> str:
    """Random bytes go as binary: the core refuses NUL bytes in text bodies before any view
    (tested below), so as JSON they would never reach the intake."""
    return "application/octet-stream" if b"\x00" in body else "application/json"


def test_thousand_fuzzed_payloads_are_dead_lettered(devices, consumer, publisher, tenant):
    rng = random.Random(20261124)
    _, secret = create_integration("fuzz gateway", "http")
    _, chirp = create_integration("fuzz chirpstack", "chirpstack")
    _, ttn = create_integration("fuzz tts", "ttn")
    before = (OutboxEvent.objects.count(), list(Device.objects.values_list("last_seen",
                                                                            "offline")))
    sent = 0
    # 500 over MQTT: to real devices (JSON and Cayenne LPP models) and unknown ones.
    for i in range(500):
        uid = rng.choice(["aq-t1", "bin-t1", "water-t1", f"ghost-{i}"])
        if uid.startswith("ghost"):
            body = json.dumps({"ts": at(1).isoformat(), "values": {"pm25": 1}}).encode()
        else:
            body = bad_body(rng, uid == "bin-t1")
        publish(publisher, tenant, uid, body, wait=(i % 50 == 49))
        sent += 1
    # 500 over HTTP: the batch intake and both LoRaWAN webhooks.
    client = Client()
    for i in range(500):
        route = i % 3
        if route == 0:
            item = bad_readings(rng, False)
            if isinstance(item, dict) and rng.random() < 0.8:
                item = {**item, "device": rng.choice(["aq-t1", "bin-t1", "nobody", 7])}
            body = json.dumps(rng.choice([{"readings": [item]}, {"readings": item}, item]),
                              allow_nan=True).encode() if rng.random() < 0.8 \
                else bad_body(rng, False)
            response = client.post("/api/iot/readings", body, content_type=kind_of(body),
                                   HTTP_X_MISTO_SECRET=secret)
        elif route == 1:
            body = json.dumps(rng.choice([
                {"deviceInfo": {"devEui": "ffffffffffffffff"}, "data": "AWcA/w=="},
                {"deviceInfo": {"devEui": "70b3d57ed005b15a"}, "data": "***"},
                {"deviceInfo": {"devEui": "70b3d57ed005b15a"}, "data": "AQ=="},
                {"deviceInfo": {"devEui": "70b3d57ed005b15a"}, "data": "AXgQ",
                 "time": "not a time"},
                {"deviceInfo": "x"}, {"data": "AWcA/w=="},
                {"deviceInfo": {"devEui": 5}}, [1, 2],
            ])).encode() if rng.random() < 0.9 else bad_body(rng, True)
            response = client.post("/iot/webhooks/chirpstack?event=up", body,
                                   content_type=kind_of(body), HTTP_X_MISTO_SECRET=chirp)
        else:
            body = json.dumps(rng.choice([
                {"end_device_ids": {"dev_eui": "70B3D57ED005B15A"},
                 "uplink_message": {"frm_payload": "=="}},
                {"end_device_ids": {"dev_eui": "70B3D57ED005B15A"},
                 "uplink_message": {"frm_payload": "AXgQ", "received_at": 5}},
                {"end_device_ids": {"dev_eui": "0000000000000000"},
                 "uplink_message": {"frm_payload": "AXgQ"}},
                {"end_device_ids": {"dev_eui": "70B3D57ED005B15A"}},
                {"end_device_ids": {"dev_eui": "70B3D57ED005B15A"}, "uplink_message": "x"},
                {"end_device_ids": {"dev_eui": "70B3D57ED005B15A"},
                 "uplink_message": {"frm_payload": "AXjI"}},  # 200 % filling: out of range
                {"uplink_message": {}},
            ])).encode() if rng.random() < 0.9 else bad_body(rng, True)
            response = client.post("/iot/webhooks/ttn", body, content_type=kind_of(body),
                                   HTTP_X_MISTO_SECRET=ttn)
        assert response.status_code == 400, (route, body[:200], response.content[:300])
        assert response.json().get("dead_letter"), (route, body[:200], response.content[:300])
        sent += 1
    assert sent == 1000
    assert wait_for(lambda: DeadLetter.objects.count() >= 1000, 60)
    assert DeadLetter.objects.count() == 1000
    assert not DeadLetter.objects.filter(reason="").exists()
    assert not DeadLetter.objects.filter(reason="internal_error").exists()
    assert DeadLetter.objects.filter(channel="mqtt").count() == 500
    reasons = set(DeadLetter.objects.values_list("reason", flat=True))
    assert {"bad_json", "bad_value", "unknown_device", "bad_base64", "bad_timestamp",
            "out_of_range", "decode_failed", "unknown_quantity", "bad_format"} <= reasons
    # Nothing else changed.
    assert Reading.objects.count() == 0 and Latest.objects.count() == 0
    assert (OutboxEvent.objects.count(),
            list(Device.objects.values_list("last_seen", "offline"))) == before


def test_nul_bytes_in_a_json_body_are_refused_before_the_intake(devices):
    _, secret = create_integration("nul gateway", "http")
    body = b'{"readings": [{"device": "aq-t1", "ts": "x\\u0000", "values": {}}]}'
    response = Client().post("/api/iot/readings", body, content_type="application/json",
                             HTTP_X_MISTO_SECRET=secret)
    assert response.status_code == 400
    assert Reading.objects.count() == 0 and DeadLetter.objects.count() == 0
