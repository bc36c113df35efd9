"""Devices on the vehicles: GPS trackers and passenger counters of the IoT platform, and the
wallet's ticket validators, each linked to the vehicle it rides on (``OnboardDevice``).

- The readings of trackers (``transit-tracker``) and counters (``passenger-counter``) come
  through the core's readings contract (``reading_sinks`` in ``apps.py``), inside the iot
  module's storing transaction. A tracker's sample becomes a ``positions.Fix`` and goes
  through ``positions.record``: the same checks, dead letters, matching and predictions as
  the OsmAnd and machine APIs. A counter's goes through ``positions.do_count``.
- A validation (``wallet.RideValidated``, ``handlers.py``) is one boarding on the vehicle
  its validator is on, counted once per event.

A sample not newer than the device's last one is a redelivery (the iot module hands a
redelivered MQTT message to the sinks again): ignored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.readings import Sample
from misto.transit.errors import TransitCode, TransitError
from misto.transit.models import CountedValidation, OnboardDevice, Vehicle
from misto.transit.services import positions

TRACKER_MODEL = "transit-tracker"
COUNTER_MODEL = "passenger-counter"
KIND_OF_MODEL = {TRACKER_MODEL: OnboardDevice.Kind.TRACKER,
                 COUNTER_MODEL: OnboardDevice.Kind.COUNTER}
LATE_VALIDATION = timedelta(minutes=10)


# --- Linking ---------------------------------------------------------------------------


def check_link(kind: str, code: str) -> tuple[str, str]:
    code = code.strip()
    if kind not in OnboardDevice.Kind.values:
        raise TransitError(TransitCode.INVALID, _("A device is a tracker, a counter or a "
                                                  "validator."), field="kind")
    if not code or len(code) > 64:
        raise TransitError(TransitCode.INVALID, _("A device's code is 1 to 64 characters."),
                           field="code")
    return kind, code


def do_link(vehicle: Vehicle, kind: str, code: str) -> OnboardDevice:
    """Put the device on the vehicle (off any other it was on)."""
    kind, code = check_link(kind, code)
    device, _ = OnboardDevice.objects.update_or_create(kind=kind, code=code,
                                                       defaults={"vehicle": vehicle})
    return device


# --- Readings of trackers and counters -------------------------------------------------


def _number(values: dict[str, float], name: str) -> float | None:
    value = values.get(name)
    return float(value) if value is not None and math.isfinite(value) else None


def fix_of(sample: Sample) -> positions.Fix:
    """A tracker's sample as a fix (speed km/h -> m/s); without both coordinates it is a bad
    fix (NaN, refused as ``bad_coordinates``)."""
    values = dict(sample.values)
    speed = _number(values, "speed")
    return positions.Fix(lon=values.get("longitude", math.nan),
                         lat=values.get("latitude", math.nan), fixed_at=sample.ts,
                         speed=None if speed is None else round(speed / 3.6, 2),
                         bearing=_number(values, "heading"))


def _count(value: float | None) -> int:
    return 0 if value is None else max(0, min(1000, round(value)))


def on_samples(samples: Sequence[Sample]) -> None:
    """The readings sink: each sample to the vehicle its device is on, in time order (a
    tracker's before a counter's of the same instant). Devices on no vehicle are skipped
    (installed, not yet linked)."""
    wanted = {(KIND_OF_MODEL[s.model], s.device) for s in samples if s.model in KIND_OF_MODEL}
    if not wanted:
        return
    devices = {(d.kind, d.code): d for d in OnboardDevice.objects.filter(
        code__in={code for _kind, code in wanted}, vehicle__active=True).select_related(
        "vehicle")}
    touched: dict[int, OnboardDevice] = {}
    for sample in sorted(samples, key=lambda s: (s.ts, s.model != TRACKER_MODEL)):
        device = devices.get((KIND_OF_MODEL.get(sample.model, ""), sample.device))
        if device is None or (device.seen_at is not None and sample.ts <= device.seen_at):
            continue
        device.seen_at = sample.ts
        touched[device.pk] = device
        if device.kind == OnboardDevice.Kind.TRACKER:
            positions.record(device.vehicle, fix_of(sample))
        else:
            values = dict(sample.values)
            onboard = _number(values, "passengersOnBoard")
            positions.do_count(device.vehicle, sample.ts,
                               passengers=None if onboard is None else _count(onboard),
                               boarded=_count(_number(values, "passengersIn")),
                               alighted=_count(_number(values, "passengersOut")))
    for device in touched.values():
        OnboardDevice.objects.filter(pk=device.pk).update(seen_at=device.seen_at)


# --- Validations -----------------------------------------------------------------------


def on_validation(event: str, validator: str, at: datetime,
                  now: datetime | None = None) -> bool:
    """One boarding on the vehicle the validator is on, once per event (``event``: the
    event's uuid). A tap uploaded more than ``LATE_VALIDATION`` late (the validator was
    offline) is recorded but counts nowhere: the vehicle has moved on. True when it
    changed the load."""
    now = now or timezone.now()
    device = OnboardDevice.objects.filter(kind=OnboardDevice.Kind.VALIDATOR, code=validator,
                                          vehicle__active=True).select_related("vehicle").first()
    try:
        with transaction.atomic():
            CountedValidation.objects.create(
                event=event, at=at, vehicle_code=device.vehicle.code if device else "")
    except IntegrityError:
        return False  # delivered before: counted then
    if device is None or at < now - LATE_VALIDATION or at > now + timedelta(minutes=1):
        return False
    return positions.do_count(device.vehicle, at, boarded=1, counter=False)
