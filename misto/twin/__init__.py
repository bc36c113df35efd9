"""The digital twin: layers, features with history, numbered landmarks, districts.

Public functions other modules may call (``from misto.twin import locate``); they live in
``misto.twin.services`` and are loaded lazily, so importing this package stays cheap:

- ``locate(lon, lat, n=3) -> Location``: district, nearest address and the ``n`` nearest
  numbered landmarks, distances in metres (``Location.inside_city`` is False outside).
- ``district_at(lon, lat) -> District | None``: the district (name, KATOTTG code, prefix).
- ``districts() -> list[District]``: every district.
- ``landmark(number) -> Feature | None``: the landmark with that public number ("12-0457").
- ``landmark_location(number) -> Landmark | None``: just where it is (one fast query).
- ``nearest(lon, lat, n=3, *, layer=None, landmarks=True) -> list[Nearby]``.
- ``nearest_address(lon, lat) -> Nearby | None``.
- ``features_in_bbox((west, south, east, north), layers=None) -> QuerySet[Feature]``.
- ``features_within(area, layer, predicate="intersects") -> QuerySet[Feature]``: e.g. the
  buildings an outage area covers.
- ``search(query, limit=10) -> list[SearchHit]``: addresses, streets, landmark numbers.
- ``check_lon_lat(lon, lat) -> Point``: raises ``TwinError`` with the reason.

Errors: ``TwinError`` (and its ``NotFound``, ``InvalidFeature``) are ``MistoError``s with a
``TwinCode`` (``misto.twin.errors``).
"""

from typing import Any

__all__ = [
    "District",
    "InvalidFeature",
    "Landmark",
    "Location",
    "Nearby",
    "NotFound",
    "SearchHit",
    "TwinError",
    "check_lon_lat",
    "district_at",
    "districts",
    "features_in_bbox",
    "features_within",
    "landmark",
    "landmark_location",
    "locate",
    "nearest",
    "nearest_address",
    "search",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from misto.twin import services

        return getattr(services, name)
    raise AttributeError(f"module 'misto.twin' has no attribute {name!r}")
