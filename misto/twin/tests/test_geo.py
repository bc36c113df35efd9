"""The one geography every module uses: distances, boxes and areas read with clear
refusals, and districts as values rather than feature properties."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from misto import twin
from misto.twin import geo

WEST = "UA23060070010000012"
EAST = "UA23060070010000013"


def test_distance_is_great_circle_metres():
    assert geo.distance_m(35.0, 47.0, 35.0, 47.0) == 0
    assert geo.distance_m(35.0, 47.0, 35.0, 48.0) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "nan,0,1,1", "0,0,200,1",
                                  "35.2,47,35.1,48", "0,0,0,0"])
def test_bad_bboxes_are_refused_with_a_reason(text):
    with pytest.raises(twin.TwinError) as caught:
        twin.parse_bbox(text)
    assert caught.value.code == "bad_bbox" and "bbox" in caught.value.message


def test_areas_keep_their_shape_and_are_checked():
    square = {"type": "Polygon", "coordinates": [[[35.1, 47.8], [35.2, 47.8], [35.2, 47.9],
                                                  [35.1, 47.8]]]}
    area = geo.parse_area({"type": "Feature", "geometry": square, "properties": {}})
    assert isinstance(area, Polygon) and area.srid == 4326
    assert isinstance(geo.as_multipolygon(area), MultiPolygon)
    for bad in ({"type": "Point", "coordinates": [35.1, 47.8]}, "{not json",
                {"type": "FeatureCollection", "features": []}):
        with pytest.raises(twin.TwinError) as caught:
            geo.parse_area(bad)
        assert caught.value.code == "bad_area"
    with pytest.raises(twin.TwinError, match="lon/lat swapped"):
        geo.parse_area(square, within=(0.0, 0.0, 10.0, 10.0))


def test_districts_as_values(tiny_city):
    shapes = twin.district_shapes()
    assert [shape.katottg for shape in shapes] == [WEST, EAST]
    assert shapes[0].name == "Західний район" and shapes[0].prefix == "12"
    union = twin.districts_union([WEST, EAST])
    assert isinstance(union, MultiPolygon)
    assert union.extent == pytest.approx((35.10, 47.80, 35.20, 47.85))
    assert twin.districts_union(["UA000"]) is None
    assert twin.districts_extent() == pytest.approx((35.10, 47.80, 35.20, 47.85))
    assert twin.districts_touching(Polygon.from_bbox((35.12, 47.81, 35.13, 47.82))) == [WEST]
