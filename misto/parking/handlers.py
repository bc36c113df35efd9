"""Parking's reactions: the readings of the places' sensors (``reading_sinks`` in apps.py)."""

from __future__ import annotations

from collections.abc import Sequence

from misto.core.readings import Sample
from misto.parking.services import occupancy


def on_samples(samples: Sequence[Sample]) -> None:
    occupancy.apply(samples)
