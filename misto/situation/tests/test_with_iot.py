"""With the iot module installed: the dashboard's devices agree with the iot module's own
pages (a device's status, the silent-devices list), read only through its events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from misto.core.registry import is_enabled
from misto.situation import services
from misto.situation.tests.conftest import deliver_situation

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not is_enabled("iot"), reason="the iot module is switched off")]


def _iot_pages() -> tuple[int, int, int]:
    """(devices, online, silent) as the iot module's pages count them."""
    from misto.iot import services as iot
    from misto.iot.models import Device

    active = list(Device.objects.filter(active=True).select_related("model"))
    online = [d for d in active if iot.status(d).code == "online"]
    return len(active), len(online), len(iot.silent_devices())


def _silence(uid: str) -> None:
    """Test set-up: the device was last heard two days ago; iot's offline job notices."""
    from misto.iot import services as iot
    from misto.iot.models import Device

    Device.objects.filter(uid=uid).update(last_seen=timezone.now() - timedelta(days=2))
    iot.detect_offline()


@pytest.fixture
def iot_devices(city):
    from misto.iot import services as iot
    from misto.iot.demo import ensure_catalogue
    from misto.iot.models import Reading

    ensure_catalogue()
    made = {uid: iot.register_device(uid, uid, "aq-station", lon=35.16 + i / 100, lat=47.84)
            for i, uid in enumerate(("never-1", "never-2", "gone-1", "back-1"))}
    yield made
    Reading.objects.all()._raw_delete(Reading.objects.db)  # not flushed by Django


def test_registered_silent_and_back_online_devices_agree(iot_devices):
    from misto.iot.storage import store_readings

    _silence("gone-1")
    _silence("back-1")
    store_readings([(iot_devices["back-1"].pk, "pm25", timezone.now(), 12.0)])
    deliver_situation()
    board = services.dashboard()
    total, online, silent = _iot_pages()
    assert (total, online, silent) == (4, 1, 3)  # never-1, never-2, gone-1 are silent
    assert (board.devices_total, board.devices_online, board.devices_silent) == \
        (total, online, silent)


def test_a_device_heard_for_the_first_time_is_online_on_both(iot_devices):
    from misto.iot.storage import store_readings

    store_readings([(iot_devices["never-1"].pk, "pm25", timezone.now(), 12.0)])
    deliver_situation()
    board = services.dashboard()
    _total, online, _silent = _iot_pages()
    assert online == 1
    assert board.devices_online == online
