"""The IoT part of the demo city: quantities, device models, rules and a few hundred devices.

Devices stand on the twin's numbered landmarks (so each has a district and a public number
nearby) and hold credentials, so that the broker can refuse everyone else; ``misto simulate``
then makes them talk over MQTT as themselves. Safe to run again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from typing import IO, Any

from django.conf import settings
from django.db import transaction

from misto.iot.models import Device, DeviceModel, Integration, Quantity, Rule
from misto.iot.services import create_integration, issue_credentials, register_device
from misto.twin import features_in_bbox

# code: (name_uk, name_en, UN/CEFACT unit, label, min, max, retention days)
QUANTITIES: dict[str, tuple[str, str, str, str, float, float, int]] = {
    "temperature": ("Температура", "Temperature", "CEL", "°C", -60, 90, 365),
    "relativeHumidity": ("Відносна вологість", "Relative humidity", "P1", "%", 0, 100, 365),
    "pm25": ("Пил PM2.5", "PM2.5", "GQ", "µg/m³", 0, 2000, 730),
    "pm10": ("Пил PM10", "PM10", "GQ", "µg/m³", 0, 2000, 730),
    "no2": ("Діоксид азоту", "Nitrogen dioxide", "GQ", "µg/m³", 0, 5000, 730),
    "LAeq": ("Рівень шуму", "Noise level", "2N", "dB(A)", 0, 200, 365),
    "fillingLevel": ("Заповненість", "Filling level", "P1", "%", 0, 100, 180),
    "occupancy": ("Зайнятість", "Occupancy", "C62", "", 0, 1, 180),
    "intensity": ("Інтенсивність руху", "Traffic intensity", "E50", "авто/5 хв", 0, 10000, 365),
    "averageVehicleSpeed": ("Середня швидкість", "Average speed", "KMH", "км/год", 0, 250, 365),
    "waterConsumption": ("Витрата води", "Water flow", "LTR", "л/год", 0, 1e7, 1095),
    "pressure": ("Тиск у мережі", "Network pressure", "BAR", "бар", 0, 25, 1095),
    "illuminance": ("Освітленість", "Illuminance", "LUX", "лк", 0, 200000, 180),
    "powerConsumption": ("Споживана потужність", "Power", "WTT", "Вт", 0, 10000, 365),
    "windSpeed": ("Швидкість вітру", "Wind speed", "MTS", "м/с", 0, 100, 365),
    "atmosphericPressure": ("Атмосферний тиск", "Air pressure", "A97", "гПа", 800, 1100, 365),
    "battery": ("Заряд батареї", "Battery", "P1", "%", 0, 100, 90),
    # Vehicle trackers and fuel sensors (their readings go on to the fleet module).
    "latitude": ("Широта", "Latitude", "DD", "°", -90, 90, 90),
    "longitude": ("Довгота", "Longitude", "DD", "°", -180, 180, 90),
    "speed": ("Швидкість", "Speed", "KMH", "км/год", 0, 250, 90),
    "heading": ("Курс", "Heading", "DD", "°", 0, 360, 90),
    "ignition": ("Запалювання", "Ignition", "C62", "", 0, 1, 90),
    "fuelLevel": ("Рівень пального", "Fuel level", "LTR", "л", 0, 1500, 365),
    # Automatic passenger counters on buses (their readings go on to the transit module).
    "passengersIn": ("Увійшло пасажирів", "Passengers boarded", "C62", "осіб", 0, 500, 90),
    "passengersOut": ("Вийшло пасажирів", "Passengers alighted", "C62", "осіб", 0, 500, 90),
    "passengersOnBoard": ("Пасажирів у салоні", "Passengers on board", "C62", "осіб", 0, 500,
                          90),
}

# The models' Ukrainian names (the English ones are in MODELS).
MODEL_NAMES_UK = {
    "aq-station": "Станція якості повітря AQ-1",
    "noise-meter": "Шумомір NM-2",
    "bin-lpp": "Датчик заповнення контейнера (Cayenne LPP)",
    "parking-lpp": "Датчик паркомісця (Cayenne LPP)",
    "traffic-counter": "Лічильник транспорту TC-5",
    "water-meter": "Лічильник води з датчиком тиску",
    "streetlight": "Контролер вуличного ліхтаря",
    "weather": "Метеостанція",
    "lorawan-water": "Лічильник води LoRaWAN (ChirpStack)",
    "lorawan-climate": "Кліматичний датчик LoRaWAN (TTS, форматер Cayenne LPP)",
    "vehicle-tracker": "GPS-трекер транспортного засобу",
    "fuel-level": "Датчик рівня пального",
    "transit-tracker": "GPS-трекер міського автобуса",
    "passenger-counter": "Автоматичний лічильник пасажирів",
    "ride-validator": "Валідатор проїзду",
}

# code: (English name, entity type, decoder, quantities, field map, offline after (min),
# count, prefix)
MODELS: dict[str, tuple[str, str, str, list[str], dict[str, str], int, int, str]] = {
    "aq-station": ("Air quality station AQ-1", "AirQualityObserved", "json",
                   ["temperature", "relativeHumidity", "pm25", "pm10", "no2", "battery"], {},
                   30, 40, "aq"),
    "noise-meter": ("Noise meter NM-2", "NoiseLevelObserved", "json", ["LAeq", "battery"], {},
                    30, 30, "noise"),
    "bin-lpp": ("Waste bin fill sensor (Cayenne LPP)", "WasteContainer", "cayenne_lpp",
                ["fillingLevel", "temperature", "battery"],
                {"percentage_1": "fillingLevel", "temperature_2": "temperature",
                 "percentage_3": "battery"}, 180, 120, "bin"),
    "parking-lpp": ("Parking space sensor (Cayenne LPP)", "ParkingSpot", "cayenne_lpp",
                    ["occupancy", "battery"],
                    {"digital_input_1": "occupancy", "percentage_2": "battery"}, 120, 80, "park"),
    "traffic-counter": ("Traffic counter TC-5", "TrafficFlowObserved", "json",
                        ["intensity", "averageVehicleSpeed"], {}, 30, 20, "traffic"),
    "water-meter": ("Water meter with pressure sensor", "WaterConsumptionObserved", "json",
                    ["waterConsumption", "pressure", "temperature", "battery"], {}, 120, 40,
                    "water"),
    "streetlight": ("Street light controller", "Streetlight", "json",
                    ["illuminance", "powerConsumption"], {}, 60, 30, "light"),
    "weather": ("Weather station", "WeatherObserved", "json",
                ["temperature", "relativeHumidity", "windSpeed", "atmosphericPressure"], {},
                30, 6, "meteo"),
    # LoRaWAN devices behind network servers, which decode the payload themselves and send
    # their codec's whole object (with fields the model does not map: recorded, not stored).
    "lorawan-water": ("LoRaWAN water meter (ChirpStack)", "WaterConsumptionObserved", "json",
                      ["waterConsumption", "pressure", "battery"], {}, 120, 6, "lw-water"),
    "lorawan-climate": ("LoRaWAN climate sensor (The Things Stack, Cayenne LPP formatter)",
                        "WeatherObserved", "json", ["temperature", "relativeHumidity"],
                        {"temperature_1": "temperature",
                         "relative_humidity_2": "relativeHumidity"}, 120, 6, "lw-climate"),
    # In the municipal vehicles (the fleet module's demo puts one of each in a dozen cars).
    "vehicle-tracker": ("Vehicle GPS tracker", "DeviceMeasurement", "json",
                        ["latitude", "longitude", "speed", "heading", "ignition"], {}, 60, 12,
                        "trk"),
    "fuel-level": ("Fuel level sensor", "DeviceMeasurement", "json", ["fuelLevel"], {}, 60,
                   12, "fuel"),
    # On the city's buses (the transit module's demo puts one of each in its 13 buses; its
    # simulator drives them over MQTT). The counter sends what came in and went out at a stop
    # as {"in": 3, "out": 1}, and the total on board when it knows it as "onboard".
    "transit-tracker": ("City bus GPS tracker", "DeviceMeasurement", "json",
                        ["latitude", "longitude", "speed", "heading"], {}, 30, 13, "bus-trk"),
    "passenger-counter": ("Automatic passenger counter", "DeviceMeasurement", "json",
                          ["passengersIn", "passengersOut", "passengersOnBoard"],
                          {"in": "passengersIn", "out": "passengersOut",
                           "onboard": "passengersOnBoard"}, 30, 13, "apc"),
    # A ride validator on a bus: it uploads batches of taps on its "taps" channel, which the
    # wallet claims (misto.core.uplinks), and may send its battery as a reading. Offline for
    # a day is normal (it works without a network). None in the demo: staff link their own.
    "ride-validator": ("Ride validator", "DeviceMeasurement", "json", ["battery"], {},
                       24 * 60, 0, "val"),
}

# The demo's network servers: (name, kind); their secrets are derived like the devices'.
INTEGRATIONS = [("ChirpStack (demo)", "chirpstack"), ("The Things Stack (demo)", "ttn")]

# (name, model, quantity, kind, operator, threshold, clear_at, severity, public, raises)
RULES: list[tuple[str, str, str, str, str, float, float | None, str, bool, str]] = [
    ("PM2.5 above the daily limit", "aq-station", "pm25", "threshold", "above", 55, 35,
     "warning", True, "reading"),
    ("Night-time noise", "noise-meter", "LAeq", "threshold", "above", 85, 80, "info", False,
     "reading"),
    ("Container full", "bin-lpp", "fillingLevel", "threshold", "above", 90, 70, "warning",
     False, "container_full"),
    ("Low pressure: possible leak", "water-meter", "pressure", "threshold", "below", 1.5, 2.0,
     "critical", True, "reading"),
    ("Pressure drop: possible burst", "water-meter", "pressure", "rate", "above", 1.0, 0.5,
     "critical", True, "reading"),
    ("Battery low", "", "battery", "threshold", "below", 15, 25, "info", False, "reading"),
]


def ensure_catalogue() -> dict[str, DeviceModel]:
    """Quantities, the demo's device models and their rules (idempotent)."""
    for code, (uk, en, unit, label, low, high, days) in QUANTITIES.items():
        Quantity.objects.update_or_create(code=code, defaults={
            "name_uk": uk, "name_en": en, "unit": unit, "unit_label": label,
            "min_value": low, "max_value": high, "retention_days": days})
    models = {}
    for code, (name, entity, decoder, quantities, field_map, offline, *_rest) in MODELS.items():
        models[code], _ = DeviceModel.objects.update_or_create(code=code, defaults={
            "name": MODEL_NAMES_UK.get(code, name), "name_en": name, "entity_type": entity,
            "decoder": decoder, "quantities": quantities,
            "field_map": field_map, "offline_after_minutes": offline})
    for name, model, quantity, kind, op, threshold, clear_at, severity, public, raises in RULES:
        Rule.objects.update_or_create(name=name, defaults={
            "model": models.get(model), "quantity": quantity, "kind": kind, "operator": op,
            "threshold": threshold, "clear_at": clear_at, "severity": severity,
            "public_impact": public, "raises": raises})
    return models


def _spots(count: int) -> list[tuple[str | None, float, float]]:
    """Landmarks of the twin to stand on (number, lon, lat); random points if none."""
    rng = random.Random(9)
    spots: list[tuple[str | None, float, float]] = []
    for feature in features_in_bbox((35.115, 47.815, 35.215, 47.875), layers=["landmarks"])\
            .order_by("pk")[:count * 3]:
        point = feature.geometry.point_on_surface
        spots.append((feature.number, point.x, point.y))
    rng.shuffle(spots)
    while len(spots) < count:
        spots.append((None, rng.uniform(35.12, 35.21), rng.uniform(47.82, 47.87)))
    return spots[:count]


def demo_secret(uid: str) -> str:
    """A demo device's secret, derived from ``SECRET_KEY`` so that ``misto simulate`` can act
    as the device without a file of plain-text secrets. A real city's devices get random
    secrets (``misto iot credentials``), which nobody can derive."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"misto.iot.demo-device:{uid}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def dev_eui(uid: str) -> str | None:
    """A demo LoRaWAN device's DevEUI (derived from its id); None for the other devices."""
    if not uid.startswith("lw-"):
        return None
    return hashlib.sha256(uid.encode()).hexdigest()[:16].upper()


def ensure_integrations() -> int:
    """The demo's ChirpStack and The Things Stack integrations (idempotent)."""
    created = 0
    for name, kind in INTEGRATIONS:
        if not Integration.objects.filter(name=name).exists():
            create_integration(name, kind, secret=demo_secret(f"integration:{kind}"))
            created += 1
    return created


def load(stdout: IO[str] | Any) -> None:
    with transaction.atomic():
        models = ensure_catalogue()
        total = sum(spec[6] for spec in MODELS.values())
        spots = iter(_spots(total))
        created = 0
        uids = []
        for code, spec in MODELS.items():
            count, prefix = spec[6], spec[7]
            for n in range(1, count + 1):
                uid = f"{prefix}-{n:04d}"
                uids.append(uid)
                number, lon, lat = next(spots)
                if Device.objects.filter(uid=uid).exists():
                    continue
                device = register_device(uid, f"{models[code].name} № {n}", models[code],
                                         lon=lon, lat=lat, landmark=number,
                                         owner_department="it", dev_eui=dev_eui(uid))
                Device.objects.filter(pk=device.pk).update(name_en=f"{spec[0]} #{n}")
                created += 1
        without = list(Device.objects.filter(uid__in=uids, token_hash=""))
        for device in without:
            issue_credentials(device, demo_secret(device.uid))
        ensure_integrations()
    stdout.write(f"  iot: {created} devices registered ({total} in the demo), "
                 f"{len(without)} given credentials\n")
