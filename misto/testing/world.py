"""One small named city for the tests of every module (Zulip's ``example_user`` idea).

Two districts side by side (Західний, Східний), three streets, a few addresses, buildings,
a numbered landmark and two shelters, built through the twin's own functions. Modules add
their own set-up on top (their default kinds, categories...), never a copy of the city.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon

WEST_DISTRICT = "UA23060070010000012"
EAST_DISTRICT = "UA23060070010000013"
# Шевченка runs west-east along lat 47.82; Лесі Українки along 47.83 (1.1 km north).
ON_SHEVCHENKA = (35.1300, 47.8200)
ON_SHEVCHENKA_60M = (35.1308, 47.8201)
ON_LESI = (35.1300, 47.8300)


@dataclass
class City:
    west: str = WEST_DISTRICT
    east: str = EAST_DISTRICT


def build_city() -> City:
    """The named city; call inside a test with database access."""
    from misto.twin import builtin, services

    services.ensure_builtin_layers()
    for name, prefix, code, bbox in [
        ("Західний район", "12", WEST_DISTRICT, (35.10, 47.80, 35.15, 47.85)),
        ("Східний район", "13", EAST_DISTRICT, (35.15, 47.80, 35.20, 47.85)),
    ]:
        services.create_feature(services.get_layer(builtin.DISTRICTS),
                                MultiPolygon(Polygon.from_bbox(bbox), srid=4326),
                                {"name": name, "katottg": code, "prefix": prefix})
    streets = services.get_layer(builtin.STREETS)
    for name, line in [("Шевченка", ((35.11, 47.82), (35.19, 47.82))),
                       ("Лесі Українки", ((35.11, 47.83), (35.19, 47.83))),
                       ("Козацька", ((35.1304, 47.81), (35.1304, 47.84)))]:
        services.create_feature(streets, MultiLineString(LineString(*line), srid=4326),
                                {"name": name, "type": "вулиця"})
    addresses = services.get_layer(builtin.ADDRESSES)
    for street, house, lon, lat in [("Шевченка", "1", 35.1300, 47.8202),
                                    ("Шевченка", "3", 35.1309, 47.8202),
                                    ("Лесі Українки", "5", 35.1300, 47.8302),
                                    ("Козацька", "2", 35.1306, 47.8195),
                                    ("Шевченка", "40", 35.1700, 47.8202)]:
        services.create_feature(addresses, Point(lon, lat, srid=4326),
                                {"street": street, "housenumber": house})
    landmarks = services.get_layer(builtin.LANDMARKS)
    services.create_feature(landmarks, Point(35.1301, 47.8200, srid=4326), {"kind": "hydrant"})
    services.number_layer(landmarks)
    buildings = services.get_layer(builtin.BUILDINGS)
    for i in range(3):
        x = 35.1290 + i * 0.0008
        services.create_feature(buildings, MultiPolygon(
            Polygon.from_bbox((x, 47.8205, x + 0.0004, 47.8209)), srid=4326),
            {"street": "Шевченка", "housenumber": str(2 * i + 2)})
    services.create_feature(buildings, MultiPolygon(
        Polygon.from_bbox((35.1700, 47.8205, 35.1704, 47.8209)), srid=4326),
        {"street": "Шевченка", "housenumber": "44"})
    shelters = services.get_layer(builtin.SHELTERS)
    services.create_feature(shelters, Point(35.1312, 47.8212, srid=4326),
                            {"name": "Укриття № 1", "capacity": 120})
    services.create_feature(shelters, Point(35.1400, 47.8250, srid=4326),
                            {"name": "Укриття № 2", "capacity": 80})
    return City()


def make_resident(username: str, *, birth_date: str = "1990-01-01", verified: bool = True,
                  district: str = WEST_DISTRICT, last_name: str = "Тестова",
                  first_name: str = "Олена", patronymic: str = "Петрівна") -> Any:
    """A resident account linked to a register entry (verified by a provider, or not)."""
    from django.contrib.auth import get_user_model

    from misto.residents.models import Person, Verification

    user = get_user_model().objects.create_user(username)
    Person.objects.create(
        user=user, last_name=last_name, first_name=first_name, patronymic=patronymic,
        birth_date=birth_date, district=district,
        verification=Verification.PROVIDER if verified else Verification.SELF)
    return user


def signed_in(user: Any, level: str = "verified") -> Any:
    """A test client signed in as ``user`` at sign-in ``level`` ("basic": a code, "verified":
    an identity provider), as ``misto.residents.levels`` records it in the session."""
    from django.test import Client

    from misto.residents import levels

    client = Client()
    client.force_login(user)
    session = client.session
    session[levels.SESSION_KEY] = level
    session.save()
    return client
