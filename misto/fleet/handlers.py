"""What the fleet takes from others: the readings of trackers and fuel sensors (the core's
readings contract, declared in ``apps.py``). It consumes no domain events."""

from __future__ import annotations

from collections.abc import Sequence

from misto.core.readings import Sample
from misto.fleet.services import tracking


def on_samples(samples: Sequence[Sample]) -> None:
    tracking.on_samples(samples)
