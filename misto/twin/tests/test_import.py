import json
import re
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from misto.core.models import OutboxEvent
from misto.twin import builtin, services
from misto.twin.models import Feature

GOOD_BUILDING = {"type": "Polygon", "coordinates": [[
    [35.130, 47.820], [35.131, 47.820], [35.131, 47.821], [35.130, 47.821], [35.130, 47.820]]]}


def feature(geometry, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


BROKEN = {"type": "FeatureCollection", "features": [
    feature(GOOD_BUILDING, street="Шевченка", housenumber="1"),               # row 1: fine
    feature({"type": "Polygon", "coordinates": [[                            # row 2: bow-tie
        [35.13, 47.82], [35.14, 47.83], [35.14, 47.82], [35.13, 47.83], [35.13, 47.82]]]},
        street="Шевченка", housenumber="2"),
    feature(GOOD_BUILDING, street="Шевченка", colour="red"),                 # row 3: unknown
    feature({"type": "Point", "coordinates": [237239.2, 5301638.3]}),        # row 4: metres
    feature(None, street="Шевченка", housenumber="5"),                       # row 5: no geometry
    feature({"type": "Point", "coordinates": [35.13, 47.82]}),               # row 6: wrong type
    feature(GOOD_BUILDING, levels="many"),                                   # row 7: wrong value
]}


def run_import(*args):
    try:
        call_command("twin", "import", *map(str, args))
    except CommandError as error:
        return error.returncode, str(error)
    return 0, ""


def test_broken_geojson_reports_every_row_and_changes_nothing(db, tmp_path, capsys):
    services.ensure_builtin_layers()
    before = Feature.objects.count()
    path = write(tmp_path, "broken.geojson", BROKEN)
    code, message = run_import(path, "--layer", builtin.BUILDINGS)
    assert code == 1
    assert "nothing was imported" in message
    errors = capsys.readouterr().err
    assert "row 1:" not in errors
    assert "row 2: invalid geometry: Self-intersection" in errors
    assert "row 3: unknown property “colour”" in errors
    assert "row 4: coordinates (237239.2" in errors and "reference system" in errors
    assert "row 5: the geometry is missing" in errors
    assert "row 6: geometry type Point does not fit" in errors
    assert "row 7: levels: 'many' is not of type 'integer'" in errors
    assert Feature.objects.count() == before
    assert not OutboxEvent.objects.filter(name="twin.LayerImported").exists()


def test_unknown_declared_crs_fails_the_whole_file(db, tmp_path):
    data = {**BROKEN, "crs": {"type": "name", "properties": {"name": "EPSG:999999"}}}
    code, message = run_import(write(tmp_path, "crs.geojson", data), "--layer",
                               builtin.BUILDINGS)
    assert code == 2 and "EPSG:999999" in message
    assert Feature.objects.count() == 0


def test_reprojects_from_the_declared_ucs2000_zone(db, tmp_path):
    # 35.16 E, 47.845 N in UCS-2000 / Ukraine TM zone 12 (EPSG:6386).
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::6386"}},
            "features": [feature({"type": "Point", "coordinates": [237239.2005, 5301638.3243]},
                                 kind="hydrant", number="77-0001")]}
    _import_and_check(tmp_path, data)


@pytest.mark.parametrize("srs", ["EPSG:28406", "EPSG:5565", "EPSG:3857"])
def test_reprojects_from_other_crs_given_on_the_command_line(db, tmp_path, srs):
    """Pulkovo 1942 / Gauss-Kruger zone 6 (the SK-42 family SK-63 comes from), UCS-2000 /
    Gauss-Kruger zone 7 and Web Mercator: the file declares nothing, --srs names it."""
    from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference

    point = OGRGeometry("POINT (35.16 47.845)", SpatialReference(4326))
    point.transform(CoordTransform(SpatialReference(4326), SpatialReference(srs)))
    data = {"type": "FeatureCollection", "features": [
        feature({"type": "Point", "coordinates": [point.x, point.y]}, kind="hydrant",
                number="77-0001")]}
    _import_and_check(tmp_path, data, "--srs", srs)
    # Without --srs the same metres are refused, row by row.
    Feature.objects.all().delete()
    code, _ = run_import(write(tmp_path, "plain.geojson", data), "--layer", builtin.LANDMARKS)
    assert code == 1 and not Feature.objects.exists()


def _import_and_check(tmp_path, data, *extra):
    code, _ = run_import(write(tmp_path, "ucs.geojson", data), "--layer", builtin.LANDMARKS,
                         *extra)
    assert code == 0
    imported = services.landmark("77-0001")
    assert imported.geometry.x == pytest.approx(35.16, abs=1e-6)
    assert imported.geometry.y == pytest.approx(47.845, abs=1e-6)
    assert imported.properties == {"kind": "hydrant"}
    event = OutboxEvent.objects.get(name="twin.LayerImported")
    assert event.payload["count"] == 1


def test_duplicate_numbers_are_row_errors(db, tmp_path):
    point = {"type": "Point", "coordinates": [35.13, 47.82]}
    data = {"type": "FeatureCollection", "features": [
        feature(point, kind="pole", number="12-0001"), feature(point, kind="pole",
                                                               number="12-0001")]}
    code, _ = run_import(write(tmp_path, "dup.geojson", data), "--layer", builtin.LANDMARKS)
    assert code == 1
    assert Feature.objects.count() == 0


def test_csv_with_coordinates_and_typed_columns(db, tmp_path, capsys):
    path = tmp_path / "shelters.csv"
    path.write_text("name,capacity,accessible,lon,lat\n"
                    "Укриття 1,120,так,35.13,47.82\n"
                    "Укриття 2,80,false,\"35,14\",\"47,83\"\n", encoding="utf-8")
    assert run_import(path, "--layer", builtin.SHELTERS) == (0, "")
    rows = Feature.objects.filter(layer__code=builtin.SHELTERS).order_by("pk")
    assert [r.properties for r in rows] == [
        {"name": "Укриття 1", "capacity": 120, "accessible": True},
        {"name": "Укриття 2", "capacity": 80, "accessible": False}]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,capacity,lon,lat\nA,many,35.13,47.82\nB,5,,\nC,5,35.1,47.8\n",
                   encoding="utf-8")
    code, _ = run_import(bad, "--layer", builtin.SHELTERS)
    assert code == 1
    errors = capsys.readouterr().err
    assert "row 2: capacity: 'many' is not of type 'integer'" in errors
    assert "row 3: the geometry is missing" in errors
    assert "row 4" not in errors
    assert rows.count() == 2


@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="needs GDAL's ogr2ogr")
@pytest.mark.parametrize(("driver", "suffix"), [("GPKG", "gpkg"),
                                                ("ESRI Shapefile", "shp")])
def test_geopackage_and_shapefile_through_gdal(db, tmp_path, driver, suffix):
    source = write(tmp_path, "src.geojson", {"type": "FeatureCollection", "features": [
        feature({"type": "Point", "coordinates": [35.16, 47.845]}, kind="tree", owner="Зеленбуд"),
        feature({"type": "Point", "coordinates": [35.17, 47.846]}, kind="pole", owner="Світло"),
    ]})
    target = tmp_path / f"landmarks.{suffix}"
    subprocess.run(["ogr2ogr", "-f", driver, "-t_srs", "EPSG:6386", "-lco", "ENCODING=UTF-8",
                    str(target), str(source)], check=True, capture_output=True)
    assert run_import(target, "--layer", builtin.LANDMARKS) == (0, "")
    rows = Feature.objects.order_by("pk")
    assert [r.properties["kind"] for r in rows] == ["tree", "pole"]
    assert rows[0].properties["owner"] == "Зеленбуд"
    assert rows[0].geometry.x == pytest.approx(35.16, abs=1e-6)
    assert rows[1].geometry.y == pytest.approx(47.846, abs=1e-6)


def test_export_and_number_commands(tiny_city, tmp_path, capsys):
    out = tmp_path / "landmarks.geojson"
    call_command("twin", "export", str(out), "--layer", builtin.LANDMARKS)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == 5
    assert {f["properties"]["number"] for f in data["features"]} >= {"12-0001", "13-0001"}
    layer = services.get_layer(builtin.LANDMARKS)
    services.create_feature(layer, {"type": "Point", "coordinates": [35.16, 47.81]},
                            {"kind": "pole"})
    call_command("twin", "number", "--layer", builtin.LANDMARKS)
    assert "numbered 1 feature(s)" in capsys.readouterr().out
    assert services.landmark("13-0002") is not None
    with pytest.raises(CommandError):
        call_command("twin", "export", str(out), "--layer", "no-such-layer")


@pytest.mark.django_db(transaction=True)
def test_the_real_command_exits_non_zero(spawn_misto, tmp_path):
    services.ensure_builtin_layers()
    path = write(tmp_path, "broken.geojson", BROKEN)
    process = spawn_misto("twin", "import", str(path), "--layer", builtin.BUILDINGS)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    for row in (2, 3, 4, 5, 6, 7):  # "row 2: ..." (or its translation)
        assert re.search(rf"\b{row}: ", output), output
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM twin_feature")
        assert cursor.fetchone()[0] == 0


OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="misto-test">
  <node id="1" lat="47.8400" lon="35.1600"><tag k="amenity" v="school"/>
    <tag k="name" v="Ліцей № 1"/></node>
  <node id="2" lat="47.8410" lon="35.1610"><tag k="emergency" v="fire_hydrant"/>
    <tag k="operator" v="Водоканал"/></node>
  <node id="3" lat="47.8420" lon="35.1600"/>
  <node id="4" lat="47.8420" lon="35.1700"/>
  <node id="5" lat="47.8430" lon="35.1620"><tag k="addr:street" v="Шевченка"/>
    <tag k="addr:housenumber" v="7"/></node>
  <node id="6" lat="47.8440" lon="35.1630"><tag k="natural" v="tree"/></node>
  <way id="10"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/>
    <tag k="name" v="вулиця Шевченка"/></way>
</osm>
"""


def test_openstreetmap_tags_map_to_layers(db, tmp_path):
    path = tmp_path / "city.osm"
    path.write_text(OSM, encoding="utf-8")
    assert run_import(path, "--layer", builtin.STREETS, "--osm-filter", "highway=*") == (0, "")
    assert run_import(path, "--layer", builtin.ADDRESSES,
                      "--osm-filter", "addr:housenumber=*") == (0, "")
    assert run_import(path, "--layer", builtin.LANDMARKS, "--osm-filter", "emergency=*",
                      "--osm-filter", "natural=tree") == (0, "")
    assert run_import(path, "--layer", builtin.POI, "--osm-filter", "amenity=school") == (0, "")
    by_layer = {}
    for row in Feature.objects.select_related("layer").order_by("pk"):
        by_layer.setdefault(row.layer.code, []).append(row.properties)
    assert by_layer[builtin.STREETS] == [{"name": "вулиця Шевченка"}]
    assert by_layer[builtin.ADDRESSES] == [{"street": "Шевченка", "housenumber": "7"}]
    assert by_layer[builtin.LANDMARKS] == [{"kind": "hydrant", "owner": "Водоканал"},
                                           {"kind": "tree"}]
    assert by_layer[builtin.POI] == [{"kind": "school", "name": "Ліцей № 1"}]
    assert services.search("Шевченка 7")[0].kind == "address"
    # Shelters need a capacity: an OSM node without one is a reported row, nothing written.
    code, _ = run_import(path, "--layer", builtin.SHELTERS, "--osm-filter", "amenity=school")
    assert code == 1
    assert not Feature.objects.filter(layer__code=builtin.SHELTERS).exists()
