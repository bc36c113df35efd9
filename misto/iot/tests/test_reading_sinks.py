"""Readings of claimed device models reach the claiming module, in the storing transaction."""

from __future__ import annotations

import pytest
from django.apps import apps

from misto.core import readings
from misto.core.registry import ReadingSink
from misto.iot.storage import store_readings
from misto.iot.tests.conftest import at

pytestmark = pytest.mark.django_db

received: list[readings.Sample] = []


def take(samples):
    received.extend(samples)


def refuse(samples):
    raise RuntimeError("the sink failed")


@pytest.fixture
def sink(monkeypatch):
    """The iot module itself claims the air stations, for the test's length."""

    def claim(handler: str) -> None:
        monkeypatch.setattr(apps.get_app_config("iot"), "reading_sinks",
                            (ReadingSink(models=("aq-station",), handler=handler),))
        readings.reset()

    received.clear()
    yield claim
    monkeypatch.undo()
    readings.reset()


def test_claimed_models_get_one_sample_per_device_and_instant(devices, sink):
    sink(f"{__name__}.take")
    aq, water = devices["aq"], devices["water"]
    store_readings([(aq.pk, "pm25", at(2), 12.0), (aq.pk, "pm10", at(2), 20.0),
                    (aq.pk, "pm25", at(1), 11.0), (water.pk, "pressure", at(1), 3.0)])
    assert [(s.device, s.model, s.ts, dict(s.values)) for s in received] == [
        ("aq-t1", "aq-station", at(1), {"pm25": 11.0}),
        ("aq-t1", "aq-station", at(2), {"pm25": 12.0, "pm10": 20.0}),
    ]


def test_nothing_claimed_nothing_delivered(devices, sink):
    assert "aq-station" not in readings.claimed_models()  # other modules claim their own
    store_readings([(devices["aq"].pk, "pm25", at(1), 11.0)])
    assert received == []


def test_a_failing_sink_rolls_the_readings_back(devices, sink):
    from misto.iot.models import Reading

    sink(f"{__name__}.refuse")
    with pytest.raises(RuntimeError):
        store_readings([(devices["aq"].pk, "pm25", at(1), 11.0)])
    assert not Reading.objects.filter(device_id=devices["aq"].pk).exists()
