"""Driving rules and footpaths on the twin's street graph: one-way streets (OpenStreetMap's
``oneway``), points met on the street between its vertices, paths walked to the door; the
in-process graph and pgRouting (on PostGIS) give the same answers."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point

from misto.twin import builtin, distance_m, route, services
from misto.twin.errors import TwinError
from misto.twin.models import Layer
from misto.twin.services import routing

ON_SHEVCHENKA = (35.165, 47.8202)  # east of Садова, 22 m north of Шевченка
ON_LESI = (35.165, 47.8298)  # 22 m south of Лесі Українки


def engines() -> list[str]:
    return ["networkx", "pgrouting"] if routing.engine() == "pgrouting" else ["networkx"]


def add_street(name: str, *coords: tuple[float, float], **props: str) -> None:
    services.create_feature(services.get_layer(builtin.STREETS),
                            MultiLineString(LineString(*coords), srid=4326),
                            {"name": name, "type": "вулиця", **props})
    routing.forget()


# Садова crosses Шевченка and Лесі Українки at 35.16; cars may drive it north only. The
# same rule drawn both ways: along the line ("yes"), against it ("-1").
@pytest.mark.parametrize("drawn", [
    (((35.16, 47.815), (35.16, 47.835)), "yes"),
    (((35.16, 47.835), (35.16, 47.815)), "-1"),
], ids=["yes", "minus-one"])
def test_one_way_street_is_driven_one_way_and_walked_both(tiny_city, drawn) -> None:
    coords, oneway = drawn
    add_street("Садова", *coords, oneway=oneway)
    for using in engines():
        north = route(ON_SHEVCHENKA, ON_LESI, mode="drive", using=using)
        south = route(ON_LESI, ON_SHEVCHENKA, mode="drive", using=using)
        assert "Садова" in [step.name for step in north.steps]
        assert "Садова" not in [step.name for step in south.steps]
        # Back south the car goes round by Чорновола, 3 km west.
        assert south.distance_m > 3 * north.distance_m
        walk_there = route(ON_SHEVCHENKA, ON_LESI, using=using)
        walk_back = route(ON_LESI, ON_SHEVCHENKA, using=using)
        assert walk_back.distance_m == pytest.approx(walk_there.distance_m, rel=0.001)
        assert walk_there.distance_m == pytest.approx(north.distance_m, rel=0.001)


def test_one_way_on_one_piece_of_street(tiny_city) -> None:
    """Both points on the same piece of a one-way street: straight along it one way only."""
    add_street("Садова", (35.16, 47.815), (35.16, 47.835), oneway="yes")
    low, high = (35.1602, 47.822), (35.1602, 47.828)
    for using in engines():
        up = route(low, high, mode="drive", using=using)
        assert [step.name for step in up.steps] == ["Садова"]
        # Along Садова, plus 15 m onto it and off it.
        assert up.distance_m == pytest.approx(distance_m(*low, *high) + 30, rel=0.01)
        down = route(high, low, mode="drive", using=using)
        assert down.distance_m > 5000


def test_a_dead_end_the_wrong_way_is_unreachable(tiny_city) -> None:
    # A one-way lane leading off Шевченка to nowhere: cars get in, never out.
    add_street("Глуха", (35.17, 47.8200), (35.17, 47.8150), oneway="yes")
    inside = (35.1702, 47.816)
    for using in engines():
        route(ON_SHEVCHENKA, inside, mode="drive", using=using)
        with pytest.raises(TwinError) as caught:
            route(inside, ON_SHEVCHENKA, mode="drive", using=using)
        assert caught.value.code == "unreachable"
        route(inside, ON_SHEVCHENKA, using=using)  # on foot it is fine


def test_a_point_meets_the_street_between_its_vertices(tiny_city) -> None:
    """Шевченка's vertices are 3 km apart: the walk onto it is the perpendicular (22 m),
    not to the nearest vertex."""
    start, end = (35.150, 47.8202), (35.155, 47.8198)
    for using in engines():
        found = route(start, end, using=using)
        assert found.geometry.coords[1] == pytest.approx((35.150, 47.82))
        assert found.geometry.coords[-2] == pytest.approx((35.155, 47.82))
        assert found.distance_m == pytest.approx(distance_m(*start, 35.155, 47.8202) + 44,
                                                 rel=0.01)


@pytest.fixture
def footpaths(tiny_city):
    layer = Layer.objects.create(code=routing.FOOTPATHS, title_uk="Пішохідні доріжки",
                                 title_en="Footpaths", geometry_type="MultiLineString",
                                 schema={"type": "object"})
    # From Шевченка at 35.14 across the block to a courtyard door, 380 m north.
    services.create_feature(layer, MultiLineString(
        LineString((35.14, 47.82), (35.145, 47.8225), (35.1496, 47.8234)), srid=4326),
        {"name": "Двір"})
    routing.forget()
    return tiny_city


def test_footpaths_lead_to_the_door_on_foot_not_by_car(footpaths) -> None:
    door = (35.1497, 47.8235)
    start = (35.13, 47.8202)
    for using in engines():
        walk = route(start, door, using=using)
        assert [step.name for step in walk.steps] == ["Шевченка", "Двір"]
        # The last straight stretch is the 10 m from the path's end to the door.
        assert distance_m(*walk.geometry.coords[-2], *door) < 15
        drive = route(start, door, mode="drive", using=using)
        assert "Двір" not in [step.name for step in drive.steps]
        # By car the last stretch is walked straight from Шевченка: ~390 m across the yards.
        assert distance_m(*drive.geometry.coords[-2], *door) > 350
    shelter = services.create_feature(services.get_layer(builtin.SHELTERS),
                                      Point(*door, srid=4326),
                                      {"name": "Укриття у дворі", "status": "open",
                                       "capacity": 50})
    [found] = services.nearest_by_route(start, builtin.SHELTERS, n=1, where={"status": "open"})
    assert found.feature.pk == shelter.pk
    assert [step.name for step in found.route.steps] == ["Шевченка", "Двір"]
