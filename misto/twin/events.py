"""Events the twin publishes (it consumes none).

- ``twin.FeatureChanged``: a feature was created, changed or retired (one per edit).
- ``twin.LayerImported``: a file was imported into a layer (one per import, not per row).
- ``twin.LandmarksNumbered``: public numbers were given to a layer's landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class FeatureChanged(DomainEvent):
    # Fields copied into the public ledger (misto.ledger): public references only.
    ledgered: ClassVar[tuple[str, ...]] = ("feature_id", "layer", "action", "version")
    feature_id: int
    layer: str
    action: str
    version: int
    number: str | None = None


@dataclass(frozen=True)
class LayerImported(DomainEvent):
    layer: str
    count: int
    source: str


@dataclass(frozen=True)
class LandmarksNumbered(DomainEvent):
    layer: str
    count: int
