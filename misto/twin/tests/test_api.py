import json

import mapbox_vector_tile
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from misto.testing import make_staff
from misto.twin import builtin, services, tiles
from misto.twin.models import Feature, Visibility


def test_landmark_by_number_is_a_geojson_feature(client, tiny_city):
    response = client.get("/api/twin/landmarks/12-0002")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "Feature"
    assert body["geometry"] == {"type": "Point", "coordinates": [35.131, 47.82]}
    assert body["properties"]["number"] == "12-0002"
    assert body["properties"]["kind"] == "manhole"
    assert body["properties"]["district"]["katottg"] == "UA23060070010000012"


def test_unknown_landmark_is_404_with_a_reason(client, tiny_city):
    response = client.get("/api/twin/landmarks/99-0001")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_number"
    assert "99-0001" in response.json()["detail"]


def test_locate(client, tiny_city):
    body = client.get("/api/twin/locate", {"lon": 35.1302, "lat": 47.8201}).json()
    assert body["inside_city"] is True
    assert body["district"]["prefix"] == "12"
    assert body["nearest_address"]["name"] == "Шевченка, 1"
    assert [item["number"] for item in body["landmarks"]] == ["12-0001", "12-0002", "12-0003"]
    assert 0 < body["landmarks"][0]["distance_m"] < body["landmarks"][2]["distance_m"]


def test_locate_outside_the_city_says_so(client, tiny_city):
    body = client.get("/api/twin/locate", {"lon": 35.30, "lat": 47.82}).json()
    assert body["inside_city"] is False and body["district"] is None
    assert "поза межами" in body["message"]  # Ukrainian by default
    english = client.get("/api/twin/locate", {"lon": 35.30, "lat": 47.82},
                         headers={"Accept-Language": "en"}).json()
    assert "outside" in english["message"]


@pytest.mark.parametrize(("params", "status"), [
    ({}, 422), ({"lon": "abc", "lat": 47.8}, 422), ({"lon": 35.1}, 422),
    ({"lon": 200, "lat": 47.8}, 400), ({"lon": 35.1, "lat": -91}, 400),
    ({"lon": "nan", "lat": 47.8}, 400),
])
def test_locate_refuses_bad_coordinates(client, db, params, status):
    response = client.get("/api/twin/locate", params)
    assert response.status_code == status
    assert "error" in response.json()


def test_layers_hide_staff_layers_from_the_public(client, db):
    services.ensure_builtin_layers()
    codes = {layer["code"] for layer in client.get("/api/twin/layers").json()["layers"]}
    assert builtin.LANDMARKS in codes and builtin.NETWORKS not in codes
    assert client.get(f"/api/twin/layers/{builtin.NETWORKS}/features").status_code == 404
    staff = make_staff("staff", "it_admin")
    client.force_login(staff)
    codes = {layer["code"] for layer in client.get("/api/twin/layers").json()["layers"]}
    assert builtin.NETWORKS in codes


def test_layer_features_in_a_bbox(client, tiny_city):
    response = client.get(f"/api/twin/layers/{builtin.LANDMARKS}/features",
                          {"bbox": "35.129,47.819,35.132,47.821"})
    assert response.status_code == 200
    numbers = {f["properties"]["number"] for f in response.json()["features"]}
    assert numbers == {"12-0001", "12-0002"}
    bad = client.get(f"/api/twin/layers/{builtin.LANDMARKS}/features", {"bbox": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_bbox"
    assert client.get("/api/twin/layers/nope/features").status_code == 404


def test_search_api(client, tiny_city):
    body = client.get("/api/twin/search", {"q": "Lesi Ukrainky 5"}).json()
    assert body["results"][0]["label"] == "Лесі Українки, 5"
    assert client.get("/api/twin/search", {"q": " "}).status_code == 400


def test_vector_tile_has_the_layers(client, tiny_city):
    z = 16
    x, y = tiles.tile_for(35.13, 47.82, z)
    west, south, east, north = tiles.tile_bounds_4326(z, x, y)
    assert west <= 35.13 <= east and south <= 47.82 <= north
    response = client.get(f"/api/twin/tiles/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    assert {"districts", "streets", "landmarks"} <= set(decoded)
    numbers = {f["properties"].get("number") for f in decoded["landmarks"]["features"]}
    assert {"12-0001", "12-0002", "12-0003"} <= numbers
    point = next(f for f in decoded["landmarks"]["features"]
                 if f["properties"].get("number") == "12-0001")
    px, py = point["geometry"]["coordinates"]
    expected_x = (35.13 - west) / (east - west) * tiles.EXTENT
    assert abs(px - expected_x) <= 2
    assert 0 <= py <= tiles.EXTENT
    # Far away and low zoom: valid, possibly empty tiles; bad tiles are 400.
    assert client.get("/api/twin/tiles/3/1/1.mvt").status_code == 200
    assert client.get("/api/twin/tiles/2/9/0.mvt").status_code == 400
    assert client.get("/api/twin/tiles/30/0/0.mvt").status_code == 400


def test_clustering_the_features_keeps_the_tiles(tiny_city):
    """``misto twin cluster`` only reorders the table (PostGIS) and is a no-op on SpatiaLite:
    a tile has the same features before and after."""
    from io import StringIO

    from django.core.management import call_command

    def features_by_layer() -> dict[str, list[dict]]:
        # the same features; their order in a layer follows the table's (clustering may
        # change it) and only decides which of two overlapping symbols is drawn on top
        decoded = mapbox_vector_tile.decode(tiles.tile(16, x, y))
        return {name: sorted(layer["features"], key=lambda feature: feature["id"])
                for name, layer in decoded.items()}

    x, y = tiles.tile_for(35.13, 47.82, 16)
    before = features_by_layer()
    out = StringIO()
    call_command("twin", "cluster", stdout=out)
    assert ("ordered by place" if services.is_postgres() else "nothing to do") in out.getvalue()
    assert features_by_layer() == before and before["landmarks"]


def test_history_and_as_of_over_the_api(client, tiny_city):
    feature = tiny_city.addresses["Шевченка 1"]
    before = feature.valid_from.isoformat()
    services.change_feature(feature.pk, properties={"street": "Шевченка", "housenumber": "1А"})
    history = client.get(f"/api/twin/features/{feature.pk}/history").json()["features"]
    assert [f["properties"]["housenumber"] for f in history] == ["1", "1А"]
    old = client.get(f"/api/twin/features/{feature.pk}", {"as_of": before}).json()
    assert old["properties"]["housenumber"] == "1"
    layer_then = client.get(f"/api/twin/layers/{builtin.ADDRESSES}/features",
                            {"as_of": before}).json()
    assert "1" in {f["properties"]["housenumber"] for f in layer_then["features"]}
    assert client.get(f"/api/twin/features/{feature.pk}",
                      {"as_of": "2000-01-01T00:00:00Z"}).status_code == 404


def test_staff_edit_with_history_and_others_cannot(client, tiny_city):
    url = f"/api/twin/layers/{builtin.SHELTERS}/features"
    body = {"geometry": {"type": "Point", "coordinates": [35.13, 47.82]},
            "properties": {"name": "Укриття", "capacity": 100}, "reason": "new shelter"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    resident = get_user_model().objects.create_user("resident")
    client.force_login(resident)
    assert client.post(url, body, content_type="application/json").status_code == 403
    staff = make_staff("staff", "it_admin")
    client.force_login(staff)
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201
    feature_id = created.json()["id"]
    changed = client.patch(f"/api/twin/features/{feature_id}",
                           {"properties": {"name": "Укриття", "capacity": 150},
                            "reason": "recount"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["properties"]["version"] == 2
    invalid = client.patch(f"/api/twin/features/{feature_id}",
                           {"properties": {"capacity": -1, "colour": "red"}},
                           content_type="application/json")
    assert invalid.status_code == 422
    assert len(invalid.json()["errors"]) == 2
    retired = client.delete(f"/api/twin/features/{feature_id}?reason=closed")
    assert retired.status_code == 200
    history = services.feature_history(feature_id)
    assert [(s.action, s.changed_by, s.reason) for s in history] == [
        ("created", "staff", "new shelter"), ("changed", "staff", "recount"),
        ("retired", "staff", "closed")]
    assert Feature.objects.get(pk=feature_id).retired_at is not None
    bad = client.post(url, {"geometry": {"type": "Point", "coordinates": [1, 2, "x"]},
                            "properties": {"capacity": 1}}, content_type="application/json")
    assert bad.status_code == 422


def test_openapi_lists_the_twin_paths(client, db):
    paths = json.loads(client.get("/api/openapi.json").content)["paths"]
    assert "/api/twin/landmarks/{number}" in paths
    assert "/api/twin/locate" in paths


def test_a_city_adds_its_own_layer_in_the_admin_and_uses_it(admin_client, db):
    response = admin_client.post("/admin/twin/layer/add/", {
        "code": "benches", "title_uk": "Лавки", "title_en": "Benches",
        "geometry_type": "Point", "schema": json.dumps({
            "type": "object", "properties": {"material": {"enum": ["wood", "metal"]}},
            "additionalProperties": False}),
        "owner_department": "improvement", "visibility": "public", "numbering": "{}",
        "min_zoom": 15, "color": "#884400",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    layer = services.get_layer("benches")
    feature = services.create_feature(layer, {"type": "Point", "coordinates": [35.13, 47.82]},
                                      {"material": "wood"})
    with pytest.raises(services.InvalidFeature):
        services.create_feature(layer, {"type": "Point", "coordinates": [35.13, 47.82]},
                                {"material": "gold"})
    bad = admin_client.post("/admin/twin/layer/add/", {
        "code": "bad", "title_uk": "x", "geometry_type": "Point", "schema": '{"type": 5}',
        "visibility": "public", "numbering": "{}", "min_zoom": 0, "color": "#000000",
    })
    assert bad.status_code == 200 and "schema" in bad.context["adminform"].form.errors
    assert admin_client.get(f"/admin/twin/feature/{feature.pk}/change/").status_code == 200
    assert admin_client.get("/admin/twin/feature/add/").status_code == 403


@pytest.mark.parametrize("url", [
    "/api/twin/features/99999999999999999999",
    "/api/twin/features/99999999999999999999/history",
    "/api/twin/features/1?as_of=9999-12-31T23:59:59",
    "/api/twin/tiles/22/99999999999/0.mvt",
    "/api/twin/locate?lon=1e400&lat=47",
    "/api/twin/locate?lon=35.1&lat=47.8&n=99999999999999999999",
    "/api/twin/layers/landmarks/features?bbox=-1e400,0,1,1",
    "/api/twin/layers/landmarks/features?limit=-5",
    "/api/twin/layers/landmarks/features?limit=99999999999999999999",
    "/api/twin/search?q=" + "ї" * 5000,
    "/api/twin/search?q=x&limit=99999999999999999999",
    "/api/twin/landmarks/" + "%E2%80%99" * 50,
])
def test_odd_requests_are_never_a_server_error(client, tiny_city, url):
    response = client.get(url)
    assert response.status_code < 500, response.content[:300]


def test_a_hidden_layer_or_feature_answers_as_a_missing_one(client, tiny_city):
    """Access helpers: the same 404 (code and words) for a missing and a hidden object, in the
    services, the API and the pages; staff without the edit grant get 403 on what they see."""
    layer = services.get_layer(builtin.SHELTERS)
    layer.visibility = Visibility.STAFF
    layer.save()
    hidden = services.create_feature(layer, "POINT(35.13 47.82)",
                                     {"name": "Укриття № 1", "kind": "shelter", "capacity": 50})
    anonymous = AnonymousUser()
    with pytest.raises(services.NotFound) as missing_layer:
        services.access_layer(anonymous, "no-such-layer")
    with pytest.raises(services.NotFound) as hidden_layer:
        services.access_layer(anonymous, builtin.SHELTERS)
    assert missing_layer.value.code == hidden_layer.value.code == "unknown_layer"
    with pytest.raises(services.NotFound) as missing:
        services.access_feature(anonymous, 2**62)
    with pytest.raises(services.NotFound) as not_visible:
        services.access_feature(anonymous, hidden.pk)
    assert missing.value.code == not_visible.value.code == "not_found"

    gone = client.get(f"/api/twin/features/{2**62}").json()
    secret = client.get(f"/api/twin/features/{hidden.pk}").json()
    assert gone["error"] == secret["error"] == "not_found"
    assert secret["detail"] == gone["detail"].replace(str(2**62), str(hidden.pk))
    assert client.get(f"/api/twin/layers/{builtin.SHELTERS}").status_code == 404
    assert client.get(f"/api/twin/features/{hidden.pk}/history").status_code == 404
    assert client.get("/map/shelters/").status_code == 404

    auditor = make_staff("auditor-x", "auditor")  # sees staff layers, edits nothing
    assert services.access_feature(auditor, hidden.pk) == hidden
    with pytest.raises(services.TwinError) as refused:
        services.access_feature(auditor, hidden.pk, "change")
    assert refused.value.status == 403
