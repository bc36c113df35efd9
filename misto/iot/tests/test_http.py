"""The HTTP batch intake and the LoRaWAN webhooks (ChirpStack v4, The Things Stack v3)."""

import base64
import json

import pytest
from django.conf import settings as django_settings
from django.test import Client

from misto.iot.models import DeadLetter, Latest, Reading
from misto.iot.services import create_integration, issue_credentials, mosquitto_files
from misto.iot.tests.conftest import at

pytestmark = pytest.mark.django_db


def post(path, body, **headers):
    return Client().post(path, json.dumps(body), content_type="application/json", **headers)


def test_batch_with_a_device_token(devices):
    token = issue_credentials(devices["aq"])
    body = {"readings": [{"ts": at(0).isoformat(), "values": {"pm25": 5}},
                         {"ts": at(1).isoformat(), "values": {"pm25": 6, "no2": 20}}]}
    response = post("/api/iot/readings", body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202 and response.json() == {"stored": 3}
    assert Reading.objects.filter(device_id=devices["aq"].pk).count() == 3
    # The same token may not send another device's readings; the batch is refused whole.
    body["readings"].append({"device": "bin-t1", "ts": at(2).isoformat(),
                             "values": {"fillingLevel": 5}})
    response = post("/api/iot/readings", body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["error"] == "forbidden_device"
    assert "readings[2]" in response.json()["detail"]
    assert DeadLetter.objects.get(pk=response.json()["dead_letter"]).channel == "http"


def test_batch_needs_credentials(devices):
    body = {"readings": [{"device": "aq-t1", "ts": at(0).isoformat(), "values": {"pm25": 5}}]}
    assert post("/api/iot/readings", body).status_code == 401
    assert post("/api/iot/readings", body, HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    _, secret = create_integration("gateway", "http")
    response = post("/api/iot/readings", body, HTTP_X_MISTO_SECRET=secret)
    assert response.status_code == 202
    assert Reading.objects.count() == 1 and DeadLetter.objects.count() == 0


def test_chirpstack_v4_uplink(devices):
    _, secret = create_integration("chirpstack", "chirpstack", header_name="Authorization")
    # ChirpStack v4 HTTP integration, JSON encoding: an "up" event (abridged real format).
    frame = bytes([1, 120, 93, 2, 103, 0, 87, 3, 120, 77])  # fill 93 %, 8.7 °C, battery 77 %
    event = {
        "deduplicationId": "3ac5b9a8-4d1d-4c35-8a2f-6f1a0d6e2b10",
        "time": at(5).isoformat().replace("+00:00", "Z"),
        "deviceInfo": {"tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
                       "tenantName": "Misto", "applicationName": "bins",
                       "deviceProfileName": "LPP bin", "deviceName": "bin-t1",
                       "devEui": "70b3d57ed005b15a", "tags": {}},
        "devAddr": "01fa2b3c", "adr": True, "dr": 5, "fCnt": 12, "fPort": 1,
        "confirmed": False, "data": base64.b64encode(frame).decode(),
        "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -57, "snr": 10.5}],
        "txInfo": {"frequency": 868100000},
    }
    response = post("/iot/webhooks/chirpstack?event=up", event, HTTP_AUTHORIZATION=secret)
    assert response.status_code == 200, response.content
    latest = dict(Latest.objects.filter(device=devices["bin"]).values_list("quantity", "value"))
    assert latest == {"fillingLevel": 93.0, "temperature": 8.7, "battery": 77.0}
    # Container full: the bin rule raised iot.ContainerFull.
    from misto.core.models import OutboxEvent

    assert OutboxEvent.objects.filter(name="iot.ContainerFull").count() == 1
    # Other events (join, status, ack...) are acknowledged and ignored.
    response = post("/iot/webhooks/chirpstack?event=join", {"deviceInfo": {}},
                    HTTP_AUTHORIZATION=secret)
    assert response.status_code == 204
    assert post("/iot/webhooks/chirpstack?event=up", event).status_code == 401
    assert post("/iot/webhooks/chirpstack?event=up", event,
                HTTP_AUTHORIZATION="wrong").status_code == 401


def test_tts_v3_uplink_decoded_and_raw(devices):
    _, secret = create_integration("tts", "ttn")
    message = {
        "end_device_ids": {"device_id": "water-1", "application_ids": {"application_id": "w"},
                           "dev_eui": "0101010101010101", "dev_addr": "260B1234"},
        "correlation_ids": ["as:up:01H..."],
        "received_at": at(7).isoformat().replace("+00:00", "Z"),
        "uplink_message": {
            "session_key_id": "AXBSH1Pk6Z0G166...", "f_port": 1, "f_cnt": 42,
            "frm_payload": "AQID",
            "decoded_payload": {"pressure": 3.4, "waterConsumption": 420, "battery": 90},
            "rx_metadata": [{"gateway_ids": {"gateway_id": "gw1"}, "rssi": -80}],
            "settings": {"data_rate": {"lora": {"bandwidth": 125000}}},
            "received_at": at(7).isoformat().replace("+00:00", "Z"),
        },
    }
    response = post("/iot/webhooks/ttn", message, HTTP_X_MISTO_SECRET=secret)
    assert response.status_code == 200, response.content
    latest = dict(Latest.objects.filter(device=devices["water"]).values_list("quantity",
                                                                             "value"))
    assert latest == {"pressure": 3.4, "waterConsumption": 420.0, "battery": 90.0}
    # A Cayenne LPP device without a network-side decoder: frm_payload is decoded here.
    message["end_device_ids"]["dev_eui"] = "70B3D57ED005B15A"
    message["uplink_message"].pop("decoded_payload")
    message["uplink_message"]["frm_payload"] = base64.b64encode(bytes([1, 120, 40])).decode()
    assert post("/iot/webhooks/ttn", message, HTTP_X_MISTO_SECRET=secret).status_code == 200
    assert Latest.objects.get(device=devices["bin"], quantity="fillingLevel").value == 40.0
    # Posting the same uplink again (a webhook retry) stores nothing twice.
    assert post("/iot/webhooks/ttn", message, HTTP_X_MISTO_SECRET=secret).status_code == 200
    assert Reading.objects.filter(device_id=devices["bin"].pk).count() == 1


def test_mosquitto_files(devices):
    issue_credentials(devices["aq"])
    passwords, acl = mosquitto_files("city")
    assert passwords.startswith("aq-t1:$7$101$")
    assert "user aq-t1\ntopic write misto/city/devices/aq-t1/readings" in acl
    assert "bin-t1" not in passwords  # no credentials issued


def test_history_and_aggregates_api(devices):
    from misto.iot.services import refresh_aggregates
    from misto.iot.storage import store_readings

    aq = devices["aq"]
    store_readings([(aq.pk, "pm25", at(i), float(i)) for i in range(30)])
    refresh_aggregates(at(0).replace(minute=0))
    client = Client()
    start, end = at(0).isoformat(), at(30).isoformat()
    data = client.get("/api/iot/devices/aq-t1/history",
                      {"quantity": "pm25", "from": start, "to": end}).json()
    assert [r["value"] for r in data["readings"]] == [float(i) for i in range(30)]
    data = client.get("/api/iot/devices/aq-t1/aggregates",
                      {"quantity": "pm25", "period": "day", "from": at(-1440).isoformat(),
                       "to": at(1440).isoformat()}).json()
    assert sum(a["count"] for a in data["aggregates"]) == 30
    for params, code in [({"quantity": "speed"}, "unknown_quantity"),
                         ({"quantity": "pm25", "from": "yesterday"}, "bad_time"),
                         ({"quantity": "pm25", "from": end, "to": start}, "bad_time"),
                         ({"quantity": "pm25", "limit": "0"}, "bad_number")]:
        response = client.get("/api/iot/devices/aq-t1/history", params)
        assert response.status_code == 400 and response.json()["error"] == code
    assert client.get("/api/iot/devices/nobody/history").status_code == 404
    response = client.get("/api/iot/devices/aq-t1/aggregates",
                          {"quantity": "pm25", "period": "week"})
    assert response.status_code == 400


def test_iot_command(devices, tmp_path, monkeypatch):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("iot", "credentials", "aq-t1", stdout=out)
    secret = out.getvalue().split("secret ", 1)[1].split()[0]
    body = {"readings": [{"ts": at(0).isoformat(), "values": {"pm25": 5}}]}
    assert post("/api/iot/readings", body,
                HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 202
    monkeypatch.setattr(django_settings, "MQTT_URL", "mqtt://127.0.0.1:1883")
    out = StringIO()
    call_command("iot", "mosquitto-files", "--dir", str(tmp_path), stdout=out)
    assert (tmp_path / "misto.passwd").read_text().startswith("aq-t1:$7$")
    assert "no account for the platform's consumer" in out.getvalue()
    # The platform's consumer account is the one MQTT_URL names; it may only read.
    monkeypatch.setattr(django_settings, "MQTT_URL", "mqtt://ingest:s3cret@127.0.0.1:1883")
    monkeypatch.setenv("MISTO_IOT_TENANT", "city")
    call_command("iot", "mosquitto-files", "--dir", str(tmp_path), stdout=StringIO())
    assert "\ningest:$7$" in (tmp_path / "misto.passwd").read_text()
    assert (tmp_path / "misto.passwd").stat().st_mode & 0o077 == 0
    assert "user ingest\ntopic read misto/city/devices/+/readings" in \
        (tmp_path / "misto.acl").read_text()
    monkeypatch.setenv("MISTO_IOT_TENANT", "+")
    with pytest.raises(CommandError, match="MISTO_IOT_TENANT"):
        call_command("iot", "mosquitto-files", "--dir", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("iot", "credentials", "ghost", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("iot", "mosquitto-files", "--dir", str(tmp_path / "missing"))


def _chirpstack_up(dev_eui: str, obj: dict, minutes: float) -> dict:
    """A ChirpStack v4 ``up`` event (HTTP integration, JSON encoding) with a codec's object."""
    return {
        "deduplicationId": "5c0a8a4e-7d5b-4a0b-9c59-3f1a8d3e9b21",
        "time": at(minutes).isoformat().replace("+00:00", "Z"),
        "deviceInfo": {"tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
                       "tenantName": "Misto",
                       "applicationId": "17c82e96-be03-4f38-aef3-f83d48582d97",
                       "applicationName": "water",
                       "deviceProfileId": "14855bf7-d10d-4aee-b618-ebfcb64dc7ad",
                       "deviceProfileName": "Water meter", "deviceName": "water-t1",
                       "deviceClassEnabled": "CLASS_A", "devEui": dev_eui, "tags": {}},
        "devAddr": "00189440", "adr": True, "dr": 5, "fCnt": 7, "fPort": 2,
        "confirmed": False, "data": "AQID", "object": obj,
        "rxInfo": [{"gatewayId": "0016c001f153a14c", "uplinkId": 4217106255, "rssi": -36,
                    "snr": 10.5, "context": "E3OWOQ==", "metadata": {}}],
        "txInfo": {"frequency": 868100000, "modulation": {"lora": {
            "bandwidth": 125000, "spreadingFactor": 7, "codeRate": "CR_4_5"}}},
    }


def _tts_uplink(dev_eui: str, decoded: dict, minutes: float) -> dict:
    """The Things Stack v3 ``uplink_message`` webhook body, with a payload formatter's
    ``decoded_payload`` (its Cayenne LPP formatter names fields ``analog_in_1``...)."""
    stamp = at(minutes).isoformat().replace("+00:00", "Z")
    return {
        "end_device_ids": {"device_id": "water-t1",
                           "application_ids": {"application_id": "misto-water"},
                           "dev_eui": dev_eui, "join_eui": "0000000000000000",
                           "dev_addr": "260B1234"},
        "correlation_ids": ["as:up:01HZX9Q3F4ZJ8M7Q0V3T5K2N1P"],
        "received_at": stamp,
        "uplink_message": {
            "session_key_id": "AYa8Xh3Qb2c9q1Zq0d0Ukw==", "f_port": 1, "f_cnt": 42,
            "frm_payload": "AQID", "decoded_payload": decoded,
            "rx_metadata": [{"gateway_ids": {"gateway_id": "misto-gw-1",
                                             "eui": "B827EBFFFE8B0F0A"},
                             "time": stamp, "rssi": -80, "channel_rssi": -80, "snr": 9.2}],
            "settings": {"data_rate": {"lora": {"bandwidth": 125000, "spreading_factor": 7,
                                                "coding_rate": "4/5"}},
                         "frequency": "868300000"},
            "received_at": stamp, "consumed_airtime": "0.051456s",
        },
    }


def test_uplinks_with_extra_decoded_fields_store_what_is_known(devices):
    """A codec's whole object: the model's quantities are stored, the rest recorded on the
    device for the IT administrator (shown on its page), nothing is dead-lettered."""
    _, chirp = create_integration("chirpstack", "chirpstack", header_name="Authorization")
    _, tts = create_integration("tts", "ttn")
    water = devices["water"]
    event = _chirpstack_up("0101010101010101", {
        "pressure": 3.2, "battery": 88, "analogInput": {"1": 3.31}, "fw": "1.4.2"}, 1)
    response = post("/iot/webhooks/chirpstack?event=up", event, HTTP_AUTHORIZATION=chirp)
    assert response.status_code == 200 and response.json() == {"stored": 2}
    message = _tts_uplink("0101010101010101", {
        "waterConsumption": 420, "battery": 87, "analog_in_1": 3.3}, 2)
    response = post("/iot/webhooks/ttn", message, HTTP_X_MISTO_SECRET=tts)
    assert response.status_code == 200 and response.json() == {"stored": 2}
    latest = dict(Latest.objects.filter(device=water).values_list("quantity", "value"))
    assert latest == {"pressure": 3.2, "waterConsumption": 420.0, "battery": 87.0}
    assert DeadLetter.objects.count() == 0
    water.refresh_from_db()
    assert water.unknown_fields == {"analogInput.1": 3.31, "fw": "1.4.2", "analog_in_1": 3.3}
    # The IT administrator sees them on the device page; the public does not.
    from misto.testing import make_staff

    client = Client()
    client.force_login(make_staff("it", "it_admin"))
    page = client.get("/iot/devices/water-t1/").content.decode()
    assert 'id="iot-unmapped"' in page and "analog_in_1" in page and "analogInput.1" in page
    assert "analog_in_1" not in Client().get("/iot/devices/water-t1/").content.decode()
    # Once mapped in the model's field map, a field is stored and no longer listed.
    water.model.field_map = {"analog_in_1": "pressure"}
    water.model.save()
    from misto.iot.ingest import reset_directory
    from misto.iot.intake import unmapped_fields

    reset_directory()
    assert "analog_in_1" not in unmapped_fields(water)
    message = _tts_uplink("0101010101010101", {"analog_in_1": 2.9}, 3)
    assert post("/iot/webhooks/ttn", message, HTTP_X_MISTO_SECRET=tts).json() == {"stored": 1}
    assert Latest.objects.get(device=water, quantity="pressure").value == 2.9


def test_an_uplink_with_nothing_known_is_a_dead_letter(devices):
    _, tts = create_integration("tts", "ttn")
    _, chirp = create_integration("chirpstack", "chirpstack", header_name="Authorization")
    message = _tts_uplink("0101010101010101", {"analog_in_1": 3.3, "digital_in_2": 1}, 1)
    response = post("/iot/webhooks/ttn", message, HTTP_X_MISTO_SECRET=tts)
    assert response.status_code == 400 and response.json()["error"] == "unknown_quantity"
    dead = DeadLetter.objects.get(pk=response.json()["dead_letter"])
    assert dead.channel == "ttn" and dead.device_uid == "water-t1"
    event = _chirpstack_up("0101010101010101", {"analogInput": {"1": 3.3}}, 2)
    response = post("/iot/webhooks/chirpstack?event=up", event, HTTP_AUTHORIZATION=chirp)
    assert response.status_code == 400 and response.json()["error"] == "unknown_quantity"
    assert Reading.objects.count() == 0 and DeadLetter.objects.count() == 2
    devices["water"].refresh_from_db()
    assert set(devices["water"].unknown_fields) == {"analog_in_1", "digital_in_2",
                                                    "analogInput.1"}
