"""Occupancy from the places' sensors (the iot module's readings, :mod:`misto.core.readings`).

Runs inside the transaction that stores the readings: a place takes a sample only when it
is newer than the last one it saw (a redelivered message changes nothing), the hour's tally
of its lot grows, and a place reported free stops the session parked on it, at the
sample's time: the driver pays for the minutes the car was really there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db.models import F

from misto.core.readings import Sample
from misto.parking.models import OccupancyHour, Place, StopReason
from misto.parking.services.sessions import locked, stop_locked

QUANTITY = "occupancy"
FEW_PLACES = 4


def apply(samples: Sequence[Sample]) -> int:
    """Take the samples (in time order); returns how many changed a place."""
    places = {place.sensor: place for place in Place.objects.select_for_update()
              .filter(sensor__in={s.device for s in samples})}
    tallies: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
    touched: dict[int, Place] = {}
    freed: list[tuple[Place, datetime]] = []
    for sample in samples:
        place = places.get(sample.device)
        value = sample.values.get(QUANTITY)
        if place is None or value is None or (place.seen_at and sample.ts <= place.seen_at):
            continue
        occupied = value >= 0.5
        tally = tallies[(place.lot_id, sample.ts.replace(minute=0, second=0, microsecond=0))]
        tally[0] += 1
        tally[1] += int(occupied)
        if place.occupied is not occupied:
            place.changed_at = sample.ts
            if not occupied:
                freed.append((place, sample.ts))
        place.occupied, place.seen_at = occupied, sample.ts
        touched[place.pk] = place
    if len(touched) > FEW_PLACES:
        Place.objects.bulk_update(touched.values(), ["occupied", "seen_at", "changed_at"])
    else:  # the common batch (one sensor's message): plain UPDATEs compile far cheaper
        for place in touched.values():  # than bulk_update's CASE per column (the bench)
            Place.objects.filter(pk=place.pk).update(
                occupied=place.occupied, seen_at=place.seen_at, changed_at=place.changed_at)
    _tally(tallies)
    for place, at in freed:
        _freed(place, at)
    return len(touched)


def _freed(place: Place, at: datetime) -> None:
    # Locked and read once, in the readings' transaction (not read, then locked again).
    for session in locked().filter(place=place, stopped_at__isnull=True, started_at__lt=at):
        stop_locked(session, at, StopReason.SENSOR, strict=False)


def _tally(tallies: dict[tuple[int, datetime], list[int]]) -> None:
    for (lot, hour), (samples, occupied) in tallies.items():
        updated = OccupancyHour.objects.filter(lot_id=lot, hour=hour).update(
            samples=F("samples") + samples, occupied=F("occupied") + occupied)
        if not updated:
            OccupancyHour.objects.create(lot_id=lot, hour=hour, samples=samples,
                                         occupied=occupied)
