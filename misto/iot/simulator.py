"""Realistic demo telemetry for ``misto simulate``: daily cycles, noise, faults, incidents.

Each device model has a generator giving its values at a moment; a few scripted stories run
on top: one bin overflows, one air station sees a pollution spike, one water main bursts
(pressure falls), and every 40th device is broken and never talks (the "silent devices" page
shows them). Binary (Cayenne LPP) models get their payload encoded, as the real sensor sends.
"""

from __future__ import annotations

import base64
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from misto.core.http import on_loopback
from misto.core.readings import Sample

Values = dict[str, float]


def _day(ts: datetime) -> float:
    """Hour of the local day as a float (Kyiv is UTC+2/+3; +2 is near enough)."""
    return (ts.hour + 2 + ts.minute / 60) % 24


def _peaks(hour: float, centres: tuple[float, ...], width: float = 1.5) -> float:
    return sum(math.exp(-((hour - c) ** 2) / (2 * width**2)) for c in centres)


@dataclass
class DeviceSim:
    uid: str
    model: str
    rng: random.Random
    battery: float = 100.0
    fill: float = 0.0
    state: dict[str, float] = field(default_factory=dict)


def air(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    hour = _day(ts)
    traffic = _peaks(hour, (8.5, 18.5))
    pm25 = 8 + 22 * traffic + sim.rng.gauss(0, 2.5)
    if sim.uid.endswith("0003") and 2 <= minute % 30 < 8:  # a pollution spike
        pm25 += 90
    temperature = 6 + 6 * math.sin((hour - 9) / 24 * 2 * math.pi) + sim.rng.gauss(0, 0.3)
    return {"temperature": round(temperature, 1),
            "relativeHumidity": round(min(100, max(5, 75 - 2.5 * temperature
                                                   + sim.rng.gauss(0, 2))), 1),
            "pm25": round(max(0.0, pm25), 1), "pm10": round(max(0.0, pm25 * 1.6), 1),
            "no2": round(max(0.0, 15 + 35 * traffic + sim.rng.gauss(0, 4)), 1),
            "battery": round(sim.battery, 1)}


def noise(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    hour = _day(ts)
    level = 42 + 20 * min(1.0, _peaks(hour, (9, 14, 19), 3)) + sim.rng.gauss(0, 3)
    if sim.rng.random() < 0.01:
        level += 30  # a siren or a motorbike
    return {"LAeq": round(level, 1), "battery": round(sim.battery, 1)}


def bin_(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    speed = 8.0 if sim.uid.endswith("0007") else 0.5  # the overflowing bin
    sim.fill = min(100.0, sim.fill + speed * sim.rng.uniform(0.2, 1.0))
    if (sim.fill >= 100 and not sim.uid.endswith("0007")) or sim.rng.random() < 0.002:
        sim.fill = 0.0  # collected
    return {"fillingLevel": round(sim.fill), "temperature": round(8 + sim.rng.gauss(0, 1), 1),
            "battery": round(sim.battery)}


def parking(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    busy = 0.2 + 0.7 * min(1.0, _peaks(_day(ts), (10, 13, 17), 3))
    return {"occupancy": 1.0 if sim.rng.random() < busy else 0.0, "battery": round(sim.battery)}


def traffic(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    flow = 40 + 220 * _peaks(_day(ts), (8.5, 18), 1.2) + sim.rng.gauss(0, 10)
    return {"intensity": round(max(0.0, flow)),
            "averageVehicleSpeed": round(max(5.0, 55 - flow / 8 + sim.rng.gauss(0, 3)), 1)}


def water(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    use = 200 + 900 * _peaks(_day(ts), (7.5, 20), 1.5)
    pressure = 3.6 - use / 2000 + sim.rng.gauss(0, 0.04)
    if sim.uid.endswith("0005") and 10 <= minute % 30 < 15:  # a burst main
        pressure = 0.9 + sim.rng.gauss(0, 0.05)
        use *= 4
    return {"waterConsumption": round(max(0.0, use + sim.rng.gauss(0, 30))),
            "pressure": round(max(0.0, pressure), 2),
            "temperature": round(9 + sim.rng.gauss(0, 0.2), 1), "battery": round(sim.battery)}


def light(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    hour = _day(ts)
    daylight = max(0.0, math.sin((hour - 6.5) / 11 * math.pi)) if 6.5 <= hour <= 17.5 else 0
    lux = 30000 * daylight + sim.rng.uniform(0, 5)
    return {"illuminance": round(lux), "powerConsumption": 0.0 if lux > 50 else
            round(78 + sim.rng.gauss(0, 2), 1)}


def weather(sim: DeviceSim, ts: datetime, minute: float) -> Values:
    hour = _day(ts)
    temperature = 6 + 6 * math.sin((hour - 9) / 24 * 2 * math.pi) + sim.rng.gauss(0, 0.2)
    return {"temperature": round(temperature, 1),
            "relativeHumidity": round(75 - 2.5 * temperature + sim.rng.gauss(0, 1), 1),
            "windSpeed": round(abs(sim.rng.gauss(4, 2)), 1),
            "atmosphericPressure": round(1013 + sim.rng.gauss(0, 0.5), 1)}


def lorawan_water(sim: DeviceSim, ts: datetime, minute: float) -> dict[str, object]:
    """A ChirpStack JavaScript codec's object: the meter's values, and the board's analogue
    input (battery voltage) nested by channel, as ChirpStack's codecs commonly send it."""
    values = water(sim, ts, minute)
    return {"waterConsumption": values["waterConsumption"], "pressure": values["pressure"],
            "battery": values["battery"],
            "analogInput": {"1": round(3.0 + sim.battery / 500, 2)}}


def lorawan_climate(sim: DeviceSim, ts: datetime, minute: float) -> dict[str, object]:
    """The Things Stack's Cayenne LPP formatter: flat ``<type>_<channel>`` names, with an
    analogue input the model does not map."""
    values = weather(sim, ts, minute)
    return {"temperature_1": values["temperature"],
            "relative_humidity_2": values["relativeHumidity"],
            "analog_in_3": round(3.0 + sim.battery / 500, 2)}


GENERATORS: dict[str, Callable[[DeviceSim, datetime, float], Any]] = {
    "aq-station": air, "noise-meter": noise, "bin-lpp": bin_, "parking-lpp": parking,
    "traffic-counter": traffic, "water-meter": water, "streetlight": light,
    "weather": weather, "lorawan-water": lorawan_water, "lorawan-climate": lorawan_climate,
}

# The LoRaWAN models' network server (an Integration kind): their uplinks go to its webhook.
LORAWAN = {"lorawan-water": "chirpstack", "lorawan-climate": "ttn"}


def lpp(model: str, values: Values) -> bytes:
    """Encode the LPP models' values as the sensors do (see demo.MODELS' field maps)."""
    if model == "bin-lpp":
        temperature = round(values["temperature"] * 10) & 0xFFFF
        return bytes([1, 120, int(values["fillingLevel"]), 2, 103]) + \
            temperature.to_bytes(2, "big") + bytes([3, 120, int(values["battery"])])
    if model == "parking-lpp":
        return bytes([1, 0, int(values["occupancy"]), 2, 120, int(values["battery"])])
    raise ValueError(model)


def broken(uid: str) -> bool:
    """Every 40th device of each kind is broken: registered, never heard from."""
    return uid.endswith("0040") or uid.endswith("0080") or uid.endswith("0120")


def uplink(sim: DeviceSim, dev_eui: str, ts: datetime, minute: float, count: int
           ) -> tuple[str, bytes]:
    """A LoRaWAN device's uplink as its network server posts it: (webhook path, body).

    ChirpStack v4's ``up`` event (HTTP integration, JSON) and The Things Stack v3's
    ``uplink_message``, each with the codec's decoded object beside the raw payload."""
    decoded = GENERATORS[sim.model](sim, ts, minute)
    sim.battery = max(0.0, sim.battery - sim.rng.uniform(0, 0.01))
    stamp = ts.isoformat().replace("+00:00", "Z")
    raw = base64.b64encode(json.dumps(decoded).encode()).decode()
    if LORAWAN[sim.model] == "chirpstack":
        return "/iot/webhooks/chirpstack?event=up", json.dumps({
            "deduplicationId": f"00000000-0000-4000-8000-{count:012d}", "time": stamp,
            "deviceInfo": {"tenantName": "Misto", "applicationName": "water",
                           "deviceProfileName": "Water meter", "deviceName": sim.uid,
                           "deviceClassEnabled": "CLASS_A", "devEui": dev_eui.lower(),
                           "tags": {}},
            "devAddr": dev_eui[-8:].lower(), "adr": True, "dr": 5, "fCnt": count,
            "fPort": 2, "confirmed": False, "data": raw, "object": decoded,
            "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -70, "snr": 8.5}],
            "txInfo": {"frequency": 868100000},
        }).encode()
    return "/iot/webhooks/ttn", json.dumps({
        "end_device_ids": {"device_id": sim.uid,
                           "application_ids": {"application_id": "misto-climate"},
                           "dev_eui": dev_eui, "dev_addr": dev_eui[-8:]},
        "correlation_ids": [f"as:up:{count:026d}"], "received_at": stamp,
        "uplink_message": {"f_port": 1, "f_cnt": count, "frm_payload": raw,
                           "decoded_payload": decoded,
                           "rx_metadata": [{"gateway_ids": {"gateway_id": "misto-gw-1"},
                                            "rssi": -80, "snr": 9.0}],
                           "received_at": stamp},
    }).encode()


def message(sim: DeviceSim, ts: datetime, minute: float) -> bytes:
    values = GENERATORS[sim.model](sim, ts, minute)
    sim.battery = max(0.0, sim.battery - sim.rng.uniform(0, 0.01))
    stamp = ts.isoformat()
    if sim.model in {"bin-lpp", "parking-lpp"}:
        frame = base64.b64encode(lpp(sim.model, values)).decode()
        body: dict[str, object] = {"ts": stamp, "payload": frame}
    else:
        body = {"ts": stamp, "values": values}
    return json.dumps(body).encode()


class DemoChannel:
    """Other modules' simulators speak as the demo devices through this (the core's
    ``readings.send_as_demo``): one QoS 1 MQTT message per device and batch, published as
    the device with the secret ``misto demo`` gave it, to the broker of ``MQTT_URL`` on this
    machine only. The broker's ACL holds them to their own topics, as it holds the devices."""

    def send(self, samples: Sequence[Sample]) -> None:
        from misto.core.readings import DeviceChannelError
        from misto.iot import conf
        from misto.iot.demo import demo_secret
        from misto.iot.mqtt import Refused, publish_as_device

        try:
            settings = conf.mqtt_settings()
        except ValueError as error:
            raise DeviceChannelError(str(error)) from None
        if settings is None:
            raise DeviceChannelError("MQTT_URL is not set (make run writes it to "
                                     "var/mosquitto/mqtt_url)")
        if not on_loopback(settings.host):
            raise DeviceChannelError(f"refusing to simulate against {settings.host}: the "
                                     "simulator only talks to a broker on this machine")
        by_device: dict[str, list[Sample]] = {}
        for sample in samples:
            by_device.setdefault(sample.device, []).append(sample)
        for uid, rows in by_device.items():
            items = [{"ts": s.ts.isoformat(), "values": dict(s.values)} for s in rows]
            body = json.dumps(items[0] if len(items) == 1 else items).encode()
            try:
                publish_as_device(settings, uid, demo_secret(uid), body)
            except (Refused, OSError) as error:
                raise DeviceChannelError(f"{error} (is the broker configured with the demo's "
                                         "credentials? `misto iot broker-config` / make run)"
                                         ) from None
