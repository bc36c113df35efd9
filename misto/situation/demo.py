"""The situation centre's part of the demo city: crews of the city's services and, when the
other modules' demos brought no incidents, a few demo signals so the map is not empty."""

from __future__ import annotations

from datetime import timedelta
from typing import IO

from django.db import transaction
from django.utils import timezone

from misto.situation import services
from misto.situation.models import Crew, Incident

CREWS = [
    ("Аварійна бригада Водоканалу № 1", "water"),
    ("Аварійна бригада Водоканалу № 2", "water"),
    ("Бригада тепломереж", "heating"),
    ("Бригада Міськсвітла", "light"),
    ("Бригада Зеленбуду", "green"),
    ("Бригада ремонту доріг", "roads"),
    ("Бригада санітарної очистки", "waste"),
    ("Служба ІТ-інфраструктури", "it"),
]

# (device, quantity, value, threshold, severity, lon, lat, minutes ago); the quantities are
# the iot catalogue's codes, so pages show their names.
DEMO_READINGS = [
    ("demo-pressure-01", "pressure", 1.1, 2.0, "critical", 35.1652, 47.8451, 35),
    ("demo-heat-07", "temperature", 41.0, 60.0, "warning", 35.1420, 47.8302, 80),
    ("demo-air-03", "pm25", 61.0, 35.0, "warning", 35.1905, 47.8603, 20),
    ("demo-noise-02", "LAeq", 82.0, 70.0, "info", 35.1550, 47.8551, 10),
]


def load(stdout: IO[str] | None = None) -> None:
    services.ensure_default_kinds()
    created = 0
    for name, department in CREWS:
        _crew, was_created = Crew.objects.get_or_create(name=name,
                                                        defaults={"department": department})
        created += was_created
    signals = 0
    if not Incident.objects.exists():
        now = timezone.now()
        with transaction.atomic():
            for device, quantity, value, threshold, severity, lon, lat, ago in DEMO_READINGS:
                services.ingest_reading({
                    "device_id": device, "device_name": device, "model": "demo",
                    "quantity": quantity, "value": value, "threshold": threshold,
                    "rule_id": None, "severity": severity, "public_impact": False,
                    "district": None, "lon": lon, "lat": lat, "feature_id": None,
                    "observed_at": (now - timedelta(minutes=ago)).isoformat(),
                    "cleared": False,
                })
                signals += 1
    if stdout:
        stdout.write(f"  situation: {created} crews, {signals} demo signals\n")
