"""GET /api/directory/shelters/nearest: the open shelters quickest to walk to, with routes
(the twin's routing; the directory only speaks for it on its stable address)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from misto.testing import world
from misto.twin import builtin
from misto.twin import services as twin
from misto.twin.models import Feature

pytestmark = pytest.mark.django_db


def set_status(name: str, status: str) -> None:
    feature = Feature.objects.get(layer__code=builtin.SHELTERS, name=name, retired_at=None)
    twin.change_feature(feature.pk, properties={**feature.properties, "status": status})


def nearest(**params: Any) -> Any:
    return Client().get("/api/directory/shelters/nearest", params)


def test_nearest_open_shelters_by_walking_route(city) -> None:
    lon, lat = world.ON_SHEVCHENKA
    assert nearest(lon=lon, lat=lat).json() == []  # no shelter is open yet
    set_status("Укриття № 1", "open")
    response = nearest(lon=lon, lat=lat, n=3)
    assert response.status_code == 200
    [found] = response.json()
    assert found["name"] == "Укриття № 1" and found["status"] == "open"
    assert found["capacity"] == 120
    route = found["route"]
    assert route["geometry"]["type"] == "LineString"
    assert route["geometry"]["coordinates"][0] == [lon, lat]
    assert route["properties"]["distance_m"] == found["distance_m"] >= found["straight_m"]
    assert found["duration_s"] > 0 and found["steps"]
    set_status("Укриття № 1", "closed")
    assert nearest(lon=lon, lat=lat).json() == []


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"lon": 30.52, "lat": 50.45}, 400, "outside_city"),
    ({"lon": 35.12, "lat": 47.845}, 422, "far_from_streets"),
    ({"lon": "east", "lat": 47.82}, 422, None),
    ({"lon": 35.13, "lat": 47.82, "n": 0}, 422, None),
])
def test_a_bad_place_is_refused_with_the_reason(city, params, status, code) -> None:
    response = nearest(**params)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"] == code
