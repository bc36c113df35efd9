"""The digital twin: layers, features with history, numbered landmarks, districts.

Public functions other modules may call (``from misto.twin import locate``); they live in
``misto.twin.services`` and are loaded lazily, so importing this package stays cheap:

- ``locate(lon, lat, n=3) -> Location``: district, nearest address and the ``n`` nearest
  numbered landmarks, distances in metres (``Location.inside_city`` is False outside);
  ``n=0`` for the district and the address alone (one round trip on PostgreSQL).
- ``district_at(lon, lat) -> District | None``: the district (name, KATOTTG code, prefix).
- ``districts() -> list[District]``: every district; ``district_name(code)`` one's name in
  the reader's language (the code itself when no district has it).
- ``landmark(number) -> Feature | None``: the landmark with that public number ("12-0457").
- ``landmark_location(number) -> Landmark | None``: just where it is (one fast query).
- ``nearest(lon, lat, n=3, *, layer=None, landmarks=True) -> list[Nearby]``.
- ``nearest_address(lon, lat) -> Nearby | None``.
- ``features_in_bbox((west, south, east, north), layers=None) -> QuerySet[Feature]``.
- ``features_within(area, layer, predicate="intersects") -> QuerySet[Feature]``: e.g. the
  buildings an outage area covers.
- ``search(query, limit=10) -> list[SearchHit]``: addresses, streets, landmark numbers.
- ``check_lon_lat(lon, lat) -> Point``: raises ``TwinError`` with the reason.
- ``route(from_lonlat, to_lonlat, mode="walk") -> Route``: the quickest way by street
  (``distance_m``, ``time_s``, a LineString ``geometry``, ``steps`` by street name); mode
  ``walk`` or ``drive``. Refused with ``TwinError`` codes ``outside_city``,
  ``far_from_streets``, ``no_streets``, ``unreachable``, ``bad_mode``, ``bad_coordinates``.
- ``nearest_by_route(lonlat, layer, n=3, mode="walk", where=None) -> list[RoutedFeature]``:
  the ``n`` features of a layer quickest to reach (``where={"status": "open"}`` filters on
  properties); each has ``feature``, ``route`` and ``straight_m``.
- ``place_from(query="", lon=None, lat=None) -> Place``: where someone is, from a landmark
  number, an address or a street, or GPS (``Place(lon, lat, label)``); refusals ``TwinError``.
- ``nearest_open_shelters(lonlat_or_place, n=3) -> list[RoutedShelter]``: the open shelters
  quickest to walk to (``shelter``: a ``Shelter``, ``route``, ``straight_m``).
- ``shelters_by_id(ids) -> dict[int, Shelter]``: shelters as other modules see them (``id``,
  ``name``, ``name_en``, ``lon``, ``lat``, ``status`` open/closed/unknown, ``capacity``,
  ``kind``, ``accessible``, ``hours``, ``address``); ids from ``nearest(..., layer="shelters")``
  or ``features_within(area, "shelters")``.

Geography, the one version every module uses (``misto.twin.geo``; refusals are ``TwinError``
with code ``bad_bbox`` / ``bad_area``, re-raise them with your own code):

- ``distance_m(lon1, lat1, lon2, lat2) -> float``: great-circle metres;
  ``geodesic_m(lons1, lats1, lons2, lats2) -> list[float]``: WGS 84 geodesics (pyproj), many
  pairs at once, for what is billed or signed for (a waybill's kilometres).
- ``parse_bbox("west,south,east,north") -> BBox``: checked degrees.
- ``parse_area(geojson_or_wkt, within=WORLD) -> Polygon | MultiPolygon``: a valid lon/lat
  area; ``as_multipolygon(area)`` for a MultiPolygon column.
- ``district_shapes(codes=None) -> list[DistrictShape]``: districts with their outlines
  (``katottg``, names, ``prefix``, ``geometry``), never raw feature properties.
- ``districts_union(codes) -> MultiPolygon | None``, ``districts_touching(area) -> codes``,
  ``districts_extent() -> BBox | None`` (the city's box); ``city_box()`` the same remembered
  for a minute (per-fix checks), ``forget_city_box()``.
- A point's district and nearest address: ``district_at`` / ``nearest_address`` / ``locate``
  above.

Errors: ``TwinError`` (and its ``NotFound``, ``InvalidFeature``) are ``MistoError``s with a
``TwinCode`` (``misto.twin.errors``).
"""

from typing import Any

GEO = {"BBox", "DistrictShape", "as_multipolygon", "distance_m", "district_shapes",
       "city_box", "districts_extent", "districts_touching", "districts_union",
       "forget_city_box", "geodesic_m", "parse_area", "parse_bbox"}

__all__ = [
    "BBox",
    "District",
    "DistrictShape",
    "InvalidFeature",
    "Landmark",
    "Location",
    "Nearby",
    "NotFound",
    "Place",
    "Route",
    "RoutedFeature",
    "RoutedShelter",
    "SearchHit",
    "Shelter",
    "Step",
    "TwinError",
    "as_multipolygon",
    "check_lon_lat",
    "city_box",
    "distance_m",
    "district_at",
    "district_name",
    "district_shapes",
    "districts",
    "districts_extent",
    "districts_touching",
    "districts_union",
    "features_in_bbox",
    "features_within",
    "forget_city_box",
    "geodesic_m",
    "landmark",
    "landmark_location",
    "locate",
    "nearest",
    "nearest_address",
    "nearest_by_route",
    "nearest_open_shelters",
    "parse_area",
    "parse_bbox",
    "place_from",
    "route",
    "search",
    "shelters_by_id",
]


def __getattr__(name: str) -> Any:
    if name in GEO:
        from misto.twin import geo

        return getattr(geo, name)
    if name in __all__:
        from misto.twin import services

        return getattr(services, name)
    raise AttributeError(f"module 'misto.twin' has no attribute {name!r}")
