"""A tiny city for the twin's tests: two districts, three streets, addresses, landmarks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.utils import translation

from misto.twin import builtin, services
from misto.twin.models import Feature


@pytest.fixture(autouse=True)
def english() -> object:
    """Messages are asserted in English, whatever translations the .po files gain."""
    with translation.override("en"):
        yield


@dataclass
class TinyCity:
    landmarks: dict[str, Feature]
    addresses: dict[str, Feature]


def district(name: str, prefix: str, katottg: str, bbox: tuple[float, float, float, float]
             ) -> Feature:
    return services.create_feature(
        services.get_layer(builtin.DISTRICTS),
        MultiPolygon(Polygon.from_bbox(bbox), srid=4326),
        {"name": name, "katottg": katottg, "prefix": prefix},
    )


@pytest.fixture
def tiny_city(db) -> TinyCity:
    services.ensure_builtin_layers()
    district("Західний район", "12", "UA23060070010000012", (35.10, 47.80, 35.15, 47.85))
    district("Східний район", "13", "UA23060070010000013", (35.15, 47.80, 35.20, 47.85))
    streets = services.get_layer(builtin.STREETS)
    for name, line in [
        ("Шевченка", ((35.11, 47.82), (35.19, 47.82))),
        ("Лесі Українки", ((35.11, 47.83), (35.19, 47.83))),
        ("В'ячеслава Чорновола", ((35.12, 47.81), (35.12, 47.84))),
    ]:
        services.create_feature(streets, MultiLineString(LineString(*line), srid=4326),
                                {"name": name, "type": "вулиця"})
    addresses_layer = services.get_layer(builtin.ADDRESSES)
    addresses = {}
    for street, house, lon, lat in [
        ("Шевченка", "1", 35.130, 47.8203), ("Шевченка", "2", 35.130, 47.8197),
        ("Шевченка", "12", 35.160, 47.8197), ("Лесі Українки", "5", 35.140, 47.8303),
        ("В'ячеслава Чорновола", "3", 35.1203, 47.815),
    ]:
        addresses[f"{street} {house}"] = services.create_feature(
            addresses_layer, Point(lon, lat, srid=4326), {"street": street, "housenumber": house})
    landmarks_layer = services.get_layer(builtin.LANDMARKS)
    landmarks = {}
    for key, kind, lon, lat in [
        ("a", "pole", 35.1300, 47.8200), ("b", "manhole", 35.1310, 47.8200),
        ("c", "tree", 35.1330, 47.8200), ("d", "hydrant", 35.1600, 47.8200),
        ("e", "pole", 35.2500, 47.8200),  # outside both districts
    ]:
        landmarks[key] = services.create_feature(landmarks_layer, Point(lon, lat, srid=4326),
                                                 {"kind": kind})
    services.number_layer(landmarks_layer)
    for key, feature in landmarks.items():
        feature.refresh_from_db()
        landmarks[key] = feature
    return TinyCity(landmarks, addresses)
