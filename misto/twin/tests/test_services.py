import math
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.testing import make_staff
from misto.twin import builtin, geo, services
from misto.twin.models import Feature, FeatureVersion, Layer


def haversine(lon1, lat1, lon2, lat2):
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def test_builtin_layers_exist_with_valid_schemas(db):
    services.ensure_builtin_layers()
    codes = set(Layer.objects.values_list("code", flat=True))
    assert {spec["code"] for spec in builtin.LAYERS} <= codes
    for layer in Layer.objects.all():
        layer.full_clean()


def test_numbers_are_district_prefix_and_sequence(tiny_city):
    numbers = {key: f.number for key, f in tiny_city.landmarks.items()}
    assert numbers["a"] == "12-0001" and numbers["b"] == "12-0002" and numbers["c"] == "12-0003"
    assert numbers["d"] == "13-0001"
    assert numbers["e"] == "00-0001"  # outside every district


def test_numbering_continues_and_respects_the_layer_scheme(tiny_city):
    layer = services.get_layer(builtin.LANDMARKS)
    layer.numbering = {"prefix": "Z{district}/", "digits": 3}
    layer.save()
    new = services.create_feature(layer, Point(35.14, 47.81, srid=4326), {"kind": "pole"})
    result = services.number_layer(layer)
    assert result.numbered == 1
    new.refresh_from_db()
    assert new.number == "Z12/001"
    again = services.create_feature(layer, Point(35.141, 47.81, srid=4326), {"kind": "pole"})
    services.number_layer(layer)
    again.refresh_from_db()
    assert again.number == "Z12/002"
    assert services.number_layer(layer).numbered == 0


def test_landmark_lookup_tolerates_how_numbers_are_typed(tiny_city):
    a = tiny_city.landmarks["a"]
    for typed in ["12-0001", " 12 0001", "12–0001"]:
        assert services.landmark(typed).pk == a.pk
    assert services.landmark("99-9999") is None
    assert services.landmark("") is None
    where = services.landmark_location(" 12 0002")
    assert (where.number, where.layer, where.kind) == ("12-0002", "landmarks", "manhole")
    assert (where.lon, where.lat) == pytest.approx((35.131, 47.82))
    assert services.landmark_location("99-9999") is None
    services.retire_feature(a.pk, reason="removed")
    assert services.landmark_location("12-0001") is None
    assert services.landmark("12-0001") is None


def test_locate_gives_district_address_and_nearest_landmarks(tiny_city):
    where = services.locate(35.1302, 47.8201)
    assert where.inside_city
    assert where.district.prefix == "12"
    assert where.district.katottg == "UA23060070010000012"
    assert where.address.name == "Шевченка, 1"
    assert [n.number for n in where.landmarks] == ["12-0001", "12-0002", "12-0003"]
    for item in where.landmarks:
        expected = haversine(35.1302, 47.8201, item.lon, item.lat)
        assert item.distance_m == pytest.approx(expected, rel=0.01)
    distances = [n.distance_m for n in where.landmarks]
    assert distances == sorted(distances)


def test_locate_without_landmarks_agrees_with_district_at_and_nearest_address(tiny_city):
    """``locate(n=0)`` (one statement on PostgreSQL) answers what the two functions do,
    inside, far from any address and outside the city."""
    far_answers = []
    for lon, lat in [(35.1302, 47.8201), (35.19, 47.849), (35.30, 47.82)]:
        where = services.locate(lon, lat, n=0)
        assert where.landmarks == []
        assert where.district == services.district_at(lon, lat)
        assert where.address == services.nearest_address(lon, lat)
        far_answers.append(where.address)
    assert far_answers[0] is not None and far_answers[2] is None  # beyond 2 km: no address


def test_nearest_is_metric_not_degrees(tiny_city):
    # 0.0008 deg of longitude east (about 60 m) versus 0.0007 deg of latitude north
    # (about 78 m): in degrees the northern one is nearer, in metres the eastern one.
    layer = services.get_layer(builtin.LANDMARKS)
    east = services.create_feature(layer, Point(35.1708, 47.8300, srid=4326), {"kind": "pole"})
    north = services.create_feature(layer, Point(35.1700, 47.8307, srid=4326), {"kind": "pole"})
    services.number_layer(layer)
    found = services.nearest(35.1700, 47.8300, 2)
    assert [item.feature_id for item in found] == [east.pk, north.pk]


def test_nearest_widens_its_search_far_from_anything(tiny_city):
    found = services.nearest(35.19, 47.849, 1)
    assert found[0].number == "13-0001"
    assert found[0].distance_m > 3000


def test_point_on_a_district_border_and_outside_the_city(tiny_city):
    assert services.district_at(35.15, 47.82) is not None
    outside = services.locate(35.30, 47.82)
    assert not outside.inside_city and outside.district is None


@pytest.mark.parametrize(("lon", "lat"), [(200, 47), (35, 95), (float("nan"), 47)])
def test_bad_coordinates_are_refused_with_a_reason(db, lon, lat):
    with pytest.raises(services.TwinError) as error:
        services.locate(lon, lat)
    assert error.value.code == "bad_coordinates"


def test_bbox_and_within(tiny_city):
    rows = services.features_in_bbox((35.129, 47.819, 35.132, 47.821), [builtin.LANDMARKS])
    assert {f.number for f in rows} == {"12-0001", "12-0002"}
    area = Polygon.from_bbox((35.125, 47.815, 35.165, 47.825))
    area.srid = 4326
    inside = services.features_within(area, builtin.ADDRESSES)
    assert {f.name for f in inside} == {"Шевченка, 1", "Шевченка, 2", "Шевченка, 12"}
    with pytest.raises(services.TwinError):
        geo.parse_bbox("1,2,3")
    with pytest.raises(services.TwinError):
        geo.parse_bbox("35.2,47,35.1,48")


@pytest.mark.parametrize(("query", "label"), [
    ("Шевченка 12", "Шевченка, 12"),
    ("шевчнка 12", "Шевченка, 12"),
    ("Shevchenka 12", "Шевченка, 12"),
    ("вул. Лесі Українки, 5", "Лесі Українки, 5"),
    ("Lesi Ukrainky 5", "Лесі Українки, 5"),
    ("В’ячеслава Чорновола 3", "В'ячеслава Чорновола, 3"),
    ("Вячеслава Чорновола 3", "В'ячеслава Чорновола, 3"),
    ("Viacheslava Chornovola 3", "В'ячеслава Чорновола, 3"),
])
def test_address_search(tiny_city, query, label):
    hits = services.search(query)
    assert hits, query
    assert hits[0].kind == "address"
    assert hits[0].label == label


def test_street_and_number_search(tiny_city):
    hits = services.search("українки")
    assert hits[0].kind == "street" and hits[0].label == "Лесі Українки"
    hits = services.search("12 0002")
    assert hits[0].kind == "landmark" and hits[0].number == "12-0002"
    assert services.search("   ") == []
    assert all(h.kind != "address" for h in services.search("Шевченка 999"))


def test_invalid_features_are_refused_with_every_reason(db):
    layer = services.get_layer(builtin.LANDMARKS)
    with pytest.raises(services.InvalidFeature) as error:
        services.create_feature(layer, Polygon.from_bbox((35.1, 47.8, 35.2, 47.9)),
                                {"kind": "unicorn", "colour": "red"})
    text = " ".join(error.value.errors)
    assert "does not fit" in text and "colour" in text and "unicorn" in text
    bowtie = "POLYGON((35.1 47.8, 35.2 47.9, 35.2 47.8, 35.1 47.9, 35.1 47.8))"
    with pytest.raises(services.InvalidFeature) as error:
        services.create_feature(services.get_layer(builtin.BUILDINGS), bowtie, {})
    assert "invalid geometry" in error.value.errors[0]
    with pytest.raises(services.InvalidFeature) as error:
        services.create_feature(layer, Point(500000, 5300000, srid=4326), {"kind": "pole"})
    assert "not longitude/latitude in Ukraine" in error.value.errors[0]
    assert Feature.objects.count() == 0


def test_history_keeps_every_version_and_answers_as_of(db):
    user = make_staff("clerk", "clerk")
    layer = services.get_layer(builtin.SHELTERS)
    feature = services.create_feature(layer, Point(35.13, 47.82, srid=4326),
                                      {"name": "Укриття 1", "capacity": 50}, user=user,
                                      reason="survey")
    t1 = timezone.now()
    services.change_feature(feature.pk, properties={"name": "Укриття 1", "capacity": 80},
                            user=user, reason="extended")
    t2 = timezone.now()
    services.change_feature(feature.pk, geometry={"type": "Point", "coordinates": [35.14, 47.82]},
                            reason="moved")
    t3 = timezone.now()
    services.retire_feature(feature.pk, user=user, reason="demolished")
    history = services.feature_history(feature.pk)
    assert [(s.version, s.action) for s in history] == [
        (1, "created"), (2, "changed"), (3, "changed"), (4, "retired")]
    assert history[0].changed_by == "clerk" and history[0].reason == "survey"
    assert history[1].reason == "extended"
    assert services.feature_as_of(feature.pk, t1).properties["capacity"] == 50
    assert services.feature_as_of(feature.pk, t2).properties["capacity"] == 80
    assert services.feature_as_of(feature.pk, t3).geometry.x == pytest.approx(35.14)
    assert services.feature_as_of(feature.pk, timezone.now()) is None
    assert services.feature_as_of(feature.pk, t1 - timedelta(days=1)) is None
    assert [s.properties["capacity"] for s in services.layer_as_of(layer, t1)] == [50]
    assert services.layer_as_of(layer, timezone.now()) == []
    assert FeatureVersion.objects.filter(feature=feature).count() == 3
    names = list(OutboxEvent.objects.filter(name="twin.FeatureChanged")
                 .values_list("payload__action", flat=True))
    assert names == ["created", "changed", "changed", "retired"]
    with pytest.raises(services.TwinError):
        services.change_feature(feature.pk, properties={"capacity": 1})
    assert services.locate(35.14, 47.82).landmarks == []


def test_public_functions_are_exported():
    import misto.twin as twin

    for name in twin.__all__:
        assert callable(getattr(twin, name)) or isinstance(getattr(twin, name), type)
