"""A validator registered as an IoT device uploads its taps over MQTT: a real Mosquitto with
the files ``misto iot broker-config`` writes, the platform's consumer, the wallet's one tap
path. The broker lets only a ride-validator device publish taps, and only on its own topic."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.conftest import wait_for
from misto.iot.models import DeadLetter
from misto.iot.tests.conftest import catalogue, devices, tenant  # noqa: F401 (fixtures)
from misto.iot.tests.test_broker import (  # noqa: F401 (fixtures)
    broker,
    platform_consumer,
    puback,
    session,
)
from misto.testing import make_staff
from misto.testing.world import make_resident
from misto.wallet import demo, offline, services
from misto.wallet.models import Ride, Validator
from misto.wallet.services.keys import signing_keys

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def device_secrets(devices: Any) -> dict[str, str]:  # noqa: F811 (overrides the broker's)
    """An air station and a ride validator hold credentials before the broker starts."""
    from misto.iot.ingest import reset_directory
    from misto.iot.services import issue_credentials, register_device

    reset_directory()
    validator = register_device("val-t1", "Validator, bus 7", "ride-validator", lon=35.16,
                                lat=47.84)
    return {"aq-t1": issue_credentials(devices["aq"]),
            "val-t1": issue_credentials(validator)}


def _taps(account: Any, *ids: str, pending: int = 0) -> dict[str, Any]:
    at = timezone.now()
    return {"taps": [{"tap_id": tap_id, "at": at.isoformat(),
                      "token": offline.sign(signing_keys()[0], str(account.public_id), tap_id,
                                            int(at.timestamp()) + 600)} for tap_id in ids],
            "pending": pending}


def test_a_validator_uploads_its_taps_over_mqtt_once(
        device_secrets: dict[str, str], broker: Any,  # noqa: F811
        platform_consumer: Any, tenant: str) -> None:  # noqa: F811
    demo.load(io.StringIO())
    validator, _key = services.do_register_validator("bus-7", device="val-t1")
    account = services.access_account(make_resident("mqtt-rider"))
    services.demo_pay(services.do_start_topup(account, 10_000))
    topic = f"misto/{tenant}/devices/val-t1/taps"
    body = _taps(account, "mq-0001", "mq-0002", pending=5)
    with session(broker, "val-t1", device_secrets["val-t1"]) as state:
        assert puback(state, topic, body) == "Success"
        assert wait_for(lambda: Ride.objects.filter(validator=validator).count() == 2, 15)
        validator.refresh_from_db()
        assert (validator.last_channel, validator.pending_taps) == ("mqtt", 5)
        first_upload = validator.last_upload_at
        # The same message again (a validator that missed the PUBACK): nothing changes.
        assert puback(state, topic, body) == "Success"
        assert wait_for(lambda: Validator.objects.get(pk=validator.pk).last_upload_at
                        != first_upload, 15)
        assert Ride.objects.filter(validator=validator).count() == 2
        assert services.balance(account) == 10_000 - 3000
        # Garbage is kept as a dead letter with the reason, not retried.
        assert puback(state, topic, {"taps": "nope"}) == "Success"
        assert wait_for(lambda: DeadLetter.objects.filter(device_uid="val-t1",
                                                          reason="bad_format").exists(), 15)
        # Its own readings topic still works as any device's.
        assert puback(state, f"misto/{tenant}/devices/val-t1/readings",
                      {"ts": timezone.now().isoformat(), "values": {"battery": 80}}) == "Success"
    with session(broker, "aq-t1", device_secrets["aq-t1"]) as state:
        # An air station is no validator: the broker refuses its taps, and another's topic.
        assert puback(state, f"misto/{tenant}/devices/aq-t1/taps", body) == "Not authorized"
        assert puback(state, topic, _taps(account, "mq-0003")) == "Not authorized"
    assert Ride.objects.count() == 2 and services.check_book().ok
    client = Client()
    client.force_login(make_staff("it-admin-mqtt", "it_admin"))
    page = client.get("/wallet/staff/validators/").content.decode()
    assert "bus-7" in page and "MQTT" in page


def test_the_acl_gives_validators_their_taps_topic_and_the_consumer_the_channel(
        device_secrets: dict[str, str], broker: Any,  # noqa: F811
        tenant: str) -> None:  # noqa: F811
    acl = (broker.folder / "misto.acl").read_text()
    assert (f"user val-t1\ntopic write misto/{tenant}/devices/val-t1/readings\n"
            f"topic write misto/{tenant}/devices/val-t1/taps\n") in acl
    assert f"user aq-t1\ntopic write misto/{tenant}/devices/aq-t1/readings\n\n" in acl + "\n"
    assert f"topic read misto/{tenant}/devices/+/taps\n" in acl


def test_an_unlinked_validator_device_is_a_dead_letter(db: Any) -> None:
    from misto.core.uplinks import Refused, Uplink
    from misto.wallet.handlers import on_taps

    with pytest.raises(Refused) as refused:
        on_taps(Uplink("val-none", "ride-validator", "taps", json.dumps(
            {"taps": []}).encode(), timezone.now()))
    assert refused.value.reason == "unknown_validator"
    assert Client().get("/api/wallet/keys").status_code == 200
