"""``misto simulate`` publishes readings every model accepts (no dead letters)."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from misto.conftest import wait_for
from misto.iot.models import DeadLetter, Device, Latest

pytestmark = pytest.mark.django_db(transaction=True)


def test_simulate_feeds_every_model(catalogue, consumer, tenant, monkeypatch, live_server):
    # catalogue: its teardown empties the readings table, which no flush touches
    from misto.iot.demo import load

    load(StringIO())
    monkeypatch.setattr(django_settings, "MQTT_URL", "mqtt://127.0.0.1:1883")
    out = StringIO()
    call_command("simulate", "--count", "400", "--duration", "30", "--interval", "0.5",
                 "--tenant", tenant, "--site", live_server.url, stdout=out)
    assert "published 400 messages" in out.getvalue()
    every_model = {"aq-station", "noise-meter", "bin-lpp", "parking-lpp", "traffic-counter",
                   "water-meter", "streetlight", "weather", "lorawan-water", "lorawan-climate"}

    def kinds() -> set[str]:
        return set(Latest.objects.values_list("device__model__code", flat=True))

    # Until the last published messages are consumed too (the consumer may still hold some).
    assert wait_for(lambda: Latest.objects.values("device").distinct().count() >= 300
                    and kinds() == every_model, 30), kinds()
    assert DeadLetter.objects.count() == 0
    # The LoRaWAN devices came through their network servers' webhooks, which sent their
    # codecs' whole objects: the unmapped analogue inputs are recorded on the devices.
    assert Device.objects.get(uid="lw-water-0001").unknown_fields.keys() == {"analogInput.1"}
    assert Device.objects.get(uid="lw-climate-0001").unknown_fields.keys() == {"analog_in_3"}
    # The broken devices never talk.
    assert not Latest.objects.filter(device__uid="bin-0040").exists()
    assert Device.objects.get(uid="bin-0041").last_seen is not None


def test_simulate_refuses_remote_brokers_and_bad_options(db, monkeypatch):
    monkeypatch.delenv("MQTT_URL", raising=False)
    with pytest.raises(CommandError):
        call_command("simulate", "--count", "1")
    monkeypatch.setattr(django_settings, "MQTT_URL", "mqtt://192.0.2.10:1883")
    with pytest.raises(CommandError, match="refusing"):
        call_command("simulate", "--count", "1")
    monkeypatch.setattr(django_settings, "MQTT_URL", "mqtt://127.0.0.1:1883")
    with pytest.raises(CommandError):
        call_command("simulate", "--interval", "0")
    with pytest.raises(CommandError, match="refusing"):
        call_command("simulate", "--count", "1", "--site", "http://192.0.2.10:8000")
