"""Routes on the twin's streets: both engines agree, refusals say why, the graph follows edits."""

from __future__ import annotations

import math
import random

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point

from misto.twin import builtin, demo, distance_m, nearest_by_route, route, services
from misto.twin.errors import TwinCode, TwinError
from misto.twin.models import RouteGraph
from misto.twin.services import routing

ISOLATED = (35.196, 47.815)  # beside a street that touches no other


@pytest.fixture
def streets(tiny_city):
    """The tiny city plus a street in the east district that meets none of the others."""
    services.create_feature(
        services.get_layer(builtin.STREETS),
        MultiLineString(LineString((35.195, 47.81), (35.195, 47.84)), srid=4326),
        {"name": "Каштанова", "type": "вулиця"})
    routing.forget()
    return tiny_city


def shelter(name: str, lon: float, lat: float, status: str = "open") -> None:
    services.create_feature(services.get_layer(builtin.SHELTERS), Point(lon, lat, srid=4326),
                            {"name": name, "capacity": 100, "status": status})


def test_a_route_follows_the_streets_and_names_them(streets) -> None:
    # From Шевченка west to Чорновола, north, then east along Лесі Українки.
    found = route((35.14, 47.8202), (35.14, 47.8298))
    assert [step.name for step in found.steps] == ["Шевченка", "В'ячеслава Чорновола",
                                                    "Лесі Українки"]
    expected = (distance_m(35.14, 47.82, 35.12, 47.82) + distance_m(35.12, 47.82, 35.12, 47.83)
                + distance_m(35.12, 47.83, 35.14, 47.83))
    assert found.distance_m == pytest.approx(expected + 22 + 22, rel=0.01)
    assert found.time_s == pytest.approx(found.distance_m / routing.WALK_MPS, rel=0.01)
    assert found.geometry.coords[0] == pytest.approx((35.14, 47.8202))
    assert found.geometry.coords[-1] == pytest.approx((35.14, 47.8298))
    driving = route((35.14, 47.8202), (35.14, 47.8298), mode="drive")
    assert driving.time_s < found.time_s / 5


def test_unreachable_target_says_so(streets) -> None:
    with pytest.raises(TwinError) as caught:
        route((35.14, 47.8202), ISOLATED)
    assert caught.value.code == TwinCode.UNREACHABLE
    assert caught.value.status == 422
    assert "no way by street" in caught.value.message


@pytest.mark.parametrize(("start", "mode", "code"), [
    ((35.25, 47.82), "walk", TwinCode.OUTSIDE_CITY),  # east of both districts
    ((47.82, 35.14), "walk", TwinCode.OUTSIDE_CITY),  # lon and lat swapped
    ((35.17, 47.845), "walk", TwinCode.FAR_FROM_STREETS),  # 1.6 km from any street
    ((math.nan, 47.82), "walk", TwinCode.BAD_COORDINATES),
    ((200, 47.82), "walk", TwinCode.BAD_COORDINATES),
    (("east", "north"), "walk", TwinCode.BAD_COORDINATES),
    ((35.14,), "walk", TwinCode.BAD_COORDINATES),
    ((35.14, 47.8202), "fly", TwinCode.BAD_MODE),
])
def test_bad_input_is_refused_with_a_reason(streets, start, mode, code) -> None:
    built = RouteGraph.objects.first()
    with pytest.raises(TwinError) as caught:
        route(start, (35.16, 47.8202), mode=mode)
    assert caught.value.code == code
    assert caught.value.message
    assert 400 <= caught.value.status < 500
    after = RouteGraph.objects.first()
    assert built is None or (after and after.signature == built.signature)


def test_no_streets_is_refused(tiny_city) -> None:
    for feature in services.get_layer(builtin.STREETS).features.all():
        services.retire_feature(feature.pk, reason="test")
    with pytest.raises(TwinError) as caught:
        route((35.14, 47.8202), (35.16, 47.8202))
    assert caught.value.code == TwinCode.NO_STREETS


def test_nearest_by_route_is_by_walking_not_straight_line(streets) -> None:
    shelter("Across the block", 35.14, 47.8270)  # 780 m in a line, ~4 km round the block
    shelter("Down the street", 35.16, 47.8203)  # 1.5 km either way
    shelter("Closed", 35.141, 47.8203, status="closed")
    shelter("Cut off", 35.1955, 47.815)
    found = nearest_by_route((35.14, 47.8202), builtin.SHELTERS, n=3,
                             where={"status": "open"})
    assert [item.feature.name for item in found] == ["Down the street", "Across the block"]
    assert found[0].straight_m > found[1].straight_m
    assert found[0].route.time_s < found[1].route.time_s
    assert all(item.route.distance_m >= item.straight_m for item in found)
    with pytest.raises(TwinError) as caught:
        nearest_by_route((35.14, 47.8202), builtin.SHELTERS, n=0)
    assert caught.value.code == TwinCode.BAD_LIMIT


def test_the_graph_is_rebuilt_when_a_street_changes(streets) -> None:
    with pytest.raises(TwinError):
        route((35.14, 47.8202), ISOLATED)
    first = RouteGraph.objects.get()
    # A lane joins Каштанова to Шевченка: the next route sees it, no restart needed.
    services.create_feature(
        services.get_layer(builtin.STREETS),
        MultiLineString(LineString((35.19, 47.82), (35.195, 47.82)), srid=4326),
        {"name": "Тиха", "type": "провулок"})
    found = route((35.14, 47.8202), ISOLATED)
    assert [step.name for step in found.steps][-2:] == ["Тиха", "Каштанова"]
    assert RouteGraph.objects.get().signature != first.signature


def _random_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    while len(points) < count:
        lon = rng.uniform(demo.WEST + 0.002, demo.EAST - 0.002)
        lat = rng.uniform(demo.SOUTH + 0.002, demo.NORTH - 0.002)
        points.append((lon, lat))
    return points


def test_demo_city_routes_both_engines_agree(db) -> None:
    """100 random pairs: the in-process graph, and pgRouting when the database has it, give
    the same length within 1 %; a route is never shorter than the straight line."""
    demo.load()
    routing.forget()
    rng = random.Random(23)
    points = _random_points(rng, 200)
    pgrouting = routing.engine() == "pgrouting"
    for start, end in zip(points[::2], points[1::2], strict=True):
        mine = route(start, end, using="networkx")
        assert mine.distance_m >= distance_m(*start, *end) - 0.5
        # Manhattan distance in the demo's grid, plus the walks onto and off the streets.
        assert mine.distance_m <= 1.2 * (distance_m(*start, start[0], end[1])
                                         + distance_m(start[0], end[1], *end)) + 900
        if pgrouting:
            theirs = route(start, end, using="pgrouting")
            assert theirs.distance_m == pytest.approx(mine.distance_m, rel=0.01)
            assert theirs.time_s == pytest.approx(mine.time_s, rel=0.01)
    open_shelters = nearest_by_route(points[0], builtin.SHELTERS, n=3, where={"status": "open"},
                                     using="networkx")
    assert len(open_shelters) == 3
    assert all(item.feature.properties["status"] == "open" for item in open_shelters)
    if pgrouting:
        again = nearest_by_route(points[0], builtin.SHELTERS, n=3, where={"status": "open"},
                                 using="pgrouting")
        assert [item.feature.pk for item in again] == [item.feature.pk for item in open_shelters]
    # Every third street one way (alternately as drawn and against it): driving routes agree.
    streets = services.get_layer(builtin.STREETS).features.filter(retired_at=None)
    for i, street in enumerate(streets.order_by("pk")[::3]):
        services.change_feature(street.pk, properties={**street.properties,
                                                       "oneway": ("yes", "-1")[i % 2]})
    routing.forget()
    one_way = 0
    for start, end in zip(points[:100:2], points[1:100:2], strict=True):
        there = route(start, end, mode="drive", using="networkx")
        back = route(end, start, mode="drive", using="networkx")
        one_way += abs(there.distance_m - back.distance_m) > 1
        if pgrouting:
            for mine, (a, b) in ((there, (start, end)), (back, (end, start))):
                theirs = route(a, b, mode="drive", using="pgrouting")
                assert theirs.distance_m == pytest.approx(mine.distance_m, rel=0.01)
                assert theirs.time_s == pytest.approx(mine.time_s, rel=0.01)
    assert one_way > 10  # the one-way streets matter on many of the 50 pairs


def test_postgis_has_pgrouting(db) -> None:
    """On PostGIS the migration installs pgRouting (make installs the Debian package)."""
    if not services.is_postgres():
        pytest.skip("SpatiaLite routes in process")
    routing.forget()
    assert routing.engine() == "pgrouting"


def test_a_street_change_event_rebuilds_the_graph_before_any_route(streets) -> None:
    from django.utils import timezone

    from misto.core.events import EventEnvelope
    from misto.twin.handlers import on_streets_changed

    services.create_feature(
        services.get_layer(builtin.STREETS),
        MultiLineString(LineString((35.19, 47.82), (35.195, 47.82)), srid=4326),
        {"name": "Тиха", "type": "провулок"})
    assert RouteGraph.objects.first() is None  # nothing routed yet
    envelope = EventEnvelope(1, "u", "twin.FeatureChanged",
                             {"layer": builtin.POI, "feature_id": 1}, timezone.now())
    on_streets_changed(envelope)
    assert RouteGraph.objects.first() is None  # not a street: nothing to do
    on_streets_changed(EventEnvelope(2, "v", "twin.FeatureChanged",
                                     {"layer": builtin.STREETS, "feature_id": 1},
                                     timezone.now()))
    built = RouteGraph.objects.get()
    assert built.edges > 0 and built.signature == routing.streets_signature()


def test_route_api(client, streets) -> None:
    ok = client.get("/api/twin/route", {"from_lon": 35.14, "from_lat": 47.8202,
                                        "to_lon": 35.16, "to_lat": 47.8202})
    assert ok.status_code == 200
    body = ok.json()
    assert body["geometry"]["type"] == "LineString" and body["steps"][0]["name"] == "Шевченка"
    cut_off = client.get("/api/twin/route", {"from_lon": 35.14, "from_lat": 47.8202,
                                             "to_lon": ISOLATED[0], "to_lat": ISOLATED[1]})
    assert cut_off.status_code == 422 and cut_off.json()["error"] == "unreachable"
    outside = client.get("/api/twin/route", {"from_lon": 35.25, "from_lat": 47.82,
                                             "to_lon": 35.16, "to_lat": 47.8202})
    assert outside.status_code == 400 and outside.json()["error"] == "outside_city"
    assert client.get("/api/twin/route", {"from_lon": 35.14, "from_lat": 47.8202,
                                          "to_lon": 35.16, "to_lat": 47.8202,
                                          "mode": "fly"}).status_code == 422
