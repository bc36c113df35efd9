"""What the wallet takes from elsewhere: a validator's taps over MQTT.

A validator that is also a device in the IoT registry (``Validator.device``, its model
``ride-validator``) publishes a batch of taps on ``misto/<tenant>/devices/<device id>/taps``
(QoS 1), the body the HTTP upload takes: ``{"taps": [{"tap_id", "token" | "card", "at"}],
"pending": <taps it still holds>}``. The iot module authenticates the device (the broker's
account and ACL) and hands the message here (:mod:`misto.core.uplinks`); the taps go through
:func:`misto.wallet.services.apply_taps`, the one path of both channels, so a redelivered
message is a no-op (each tap id applies once). The broker acknowledges the message only after
the taps are committed: a validator deletes its taps on the PUBACK.
"""

from __future__ import annotations

from pydantic import ValidationError

from misto.core.uplinks import Refused, Uplink
from misto.wallet import services
from misto.wallet.models import Validator


def on_taps(message: Uplink) -> None:
    # The body is the HTTP upload's schema, imported here: importing the API package builds
    # all four of the wallet's routers, and this module is imported by every process.
    from misto.wallet.api.schemas import TapsIn

    validator = Validator.objects.filter(device=message.device, active=True).first()
    if validator is None:
        raise Refused("unknown_validator",
                      f"device {message.device!r} is no validator in service of the wallet")
    try:
        body = TapsIn.model_validate_json(message.payload)
    except ValidationError as error:
        raise Refused("bad_format", str(error)[:500]) from None
    services.apply_taps(validator, [services.TapIn(t.tap_id, t.token, t.at, t.card or "")
                                    for t in body.taps], channel="mqtt", pending=body.pending)
