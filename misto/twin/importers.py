"""Importing files into a layer: one reader per format, one validation-and-transaction base.

Readers turn a file into :class:`SourceRow` objects (row number, geometry in its declared
CRS, properties). :func:`import_file` validates *every* row, collects every error with its
row, and writes nothing unless all rows are good; then it writes all of them in one
transaction. Formats: GeoJSON (parsed directly, so each row keeps exactly its own
properties), CSV with lon/lat (or x/y, or WKT) columns, and anything GDAL reads (GeoPackage,
Shapefile, GML, KML, OpenStreetMap XML/PBF...). Coordinates are reprojected to WGS 84 from
the CRS the file declares (GeoJSON ``crs`` member, ``.prj``, GeoPackage metadata) or the one
named with ``srs``, e.g. ``EPSG:6386`` (UCS-2000 / Ukraine TM zone 12) or a PROJ string for an
SK-63 zone.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    OGRGeometry,
    SpatialReference,
)
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.db import transaction
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.twin import builtin, services
from misto.twin.errors import TwinCode, TwinError
from misto.twin.events import LayerImported
from misto.twin.models import Feature, Layer

WGS84 = SpatialReference(4326)
NUMBER_KEY = "number"  # a property of this name is the feature's public landmark number
LON_COLUMNS = ("lon", "lng", "longitude", "x", "easting")
LAT_COLUMNS = ("lat", "latitude", "y", "northing")
WKT_COLUMNS = ("wkt", "geometry", "geom")


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class SourceRow:
    row: int
    geometry: GEOSGeometry | None
    properties: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    layer: str
    rows: int
    imported: int
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFailed(TwinError):
    """The file cannot be read at all (not a row's fault)."""


def spatial_reference(text: str) -> SpatialReference:
    """A CRS from "EPSG:6386", "6386", a URN, WKT or a PROJ string."""
    value = text.strip()
    try:
        srs = SpatialReference(int(value) if value.isdigit() else value)
        srs.validate()
    except (GDALException, TypeError, ValueError) as error:
        raise ImportFailed(
            TwinCode.BAD_SRS, _("Unknown coordinate reference system “%(srs)s”.") % {"srs": text}
        ) from error
    return srs


def _to_wgs84(geometry: OGRGeometry, srs: SpatialReference | None) -> GEOSGeometry:
    if srs is not None and not _is_wgs84(srs):
        geometry.transform(CoordTransform(srs, WGS84))
    geos = GEOSGeometry(memoryview(bytes(geometry.wkb)))
    geos.srid = 4326
    return geos


def _is_wgs84(srs: SpatialReference) -> bool:
    return srs.srid == 4326 or (srs.geographic and "WGS" in (srs.name or "")
                                and "84" in (srs.name or ""))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


# --- Readers ---------------------------------------------------------------------------


def read_geojson(path: Path, srs: SpatialReference | None) -> Iterator[SourceRow]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailed(
            TwinCode.IMPORT_FAILED,
            _("Not a readable GeoJSON file: %(reason)s") % {"reason": error},
        ) from error
    if isinstance(document, dict) and document.get("type") == "Feature":
        features: Any = [document]
    elif isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
    else:
        raise ImportFailed(
            TwinCode.IMPORT_FAILED,
            _("A GeoJSON file must hold a FeatureCollection or a Feature."))
    if not isinstance(features, list):
        raise ImportFailed(
            TwinCode.IMPORT_FAILED,
            _("The FeatureCollection has no list of features."))
    declared = document.get("crs")
    if declared is not None:
        srs = _geojson_crs(declared)
    for index, item in enumerate(features, start=1):
        yield _geojson_row(index, item, srs)


def _geojson_crs(declared: Any) -> SpatialReference:
    name = None
    if isinstance(declared, dict):
        props = declared.get("properties") or {}
        name = props.get("name") or props.get("href") if isinstance(props, dict) else None
    if not isinstance(name, str) or not name:
        raise ImportFailed(TwinCode.BAD_SRS,
                           _("The file's “crs” member names no coordinate reference system."))
    return spatial_reference(name)


def _geojson_row(index: int, item: Any, srs: SpatialReference | None) -> SourceRow:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return SourceRow(index, None, {}, [_("not a GeoJSON Feature")])
    properties = item.get("properties") or {}
    if not isinstance(properties, dict):
        return SourceRow(index, None, {}, [_("properties must be a JSON object")])
    geometry = item.get("geometry")
    if geometry is None:
        return SourceRow(index, None, properties, [_("the geometry is missing")])
    try:
        ogr = OGRGeometry(json.dumps(geometry))
        return SourceRow(index, _to_wgs84(ogr, srs), properties)
    except (GDALException, GEOSException, ValueError, TypeError) as error:
        return SourceRow(index, None, properties,
                         [_("unreadable geometry: %(reason)s") % {"reason": error}])


def read_csv(path: Path, srs: SpatialReference | None) -> Iterator[SourceRow]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportFailed(TwinCode.IMPORT_FAILED, str(error)) from error
    with handle:
        sample = handle.read(4096)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        columns = {name.strip().lower(): name for name in reader.fieldnames or []}
        lon = next((columns[c] for c in LON_COLUMNS if c in columns), None)
        lat = next((columns[c] for c in LAT_COLUMNS if c in columns), None)
        wkt = next((columns[c] for c in WKT_COLUMNS if c in columns), None)
        if not (lon and lat) and not wkt:
            raise ImportFailed(
                TwinCode.IMPORT_FAILED,
                _("The CSV file needs lon and lat (or x and y, or wkt) columns."))
        geometry_columns = {lon, lat, wkt} - {None}
        for line, record in enumerate(reader, start=2):
            properties = {key: value.strip() for key, value in record.items()
                          if key not in geometry_columns and key is not None
                          and value is not None and value.strip() != ""}
            yield _csv_row(line, record, properties, lon, lat, wkt, srs)


def _csv_row(line: int, record: dict[str, Any], properties: dict[str, Any], lon: str | None,
             lat: str | None, wkt: str | None, srs: SpatialReference | None) -> SourceRow:
    try:
        if wkt and (record.get(wkt) or "").strip():
            ogr = OGRGeometry(record[wkt].strip())
        elif lon and lat and (record.get(lon) or "").strip() and (record.get(lat) or "").strip():
            x = float(record[lon].replace(",", "."))
            y = float(record[lat].replace(",", "."))
            ogr = OGRGeometry(Point(x, y).wkt)
        else:
            return SourceRow(line, None, properties, [_("the geometry is missing")])
        return SourceRow(line, _to_wgs84(ogr, srs), properties)
    except (GDALException, GEOSException, ValueError) as error:
        return SourceRow(line, None, properties,
                         [_("unreadable coordinates: %(reason)s") % {"reason": error}])


def _features(layer: Any) -> Iterator[Any]:
    """A GDAL layer's features. Django's own iteration trusts the layer's feature count,
    which streaming drivers (OpenStreetMap) do not know (-1): read until the end instead."""
    from django.contrib.gis.gdal.feature import Feature as GDALFeature
    from django.contrib.gis.gdal.prototypes import ds as capi

    capi.reset_reading(layer._ptr)
    while True:
        try:
            pointer = capi.get_next_feature(layer._ptr)
        except GDALException:
            return
        yield GDALFeature(pointer, layer)


def read_gdal(path: Path, srs: SpatialReference | None, source_layer: str | None = None
              ) -> Iterator[SourceRow]:
    try:
        source = DataSource(str(path))
    except GDALException as error:
        raise ImportFailed(
            TwinCode.IMPORT_FAILED,
            _("GDAL cannot read the file: %(reason)s") % {"reason": error},
        ) from error
    names = [source[index].name for index in range(source.layer_count)]
    if source_layer is None and len(names) != 1:
        raise ImportFailed(
            TwinCode.IMPORT_FAILED,
            _("The file has several layers (%(names)s): choose one with "
              "--source-layer.") % {"names": ", ".join(names)})
    if source_layer is not None and source_layer not in names:
        raise ImportFailed(
            TwinCode.IMPORT_FAILED,
            _("The file has no layer “%(name)s” (it has: %(names)s).")
            % {"name": source_layer, "names": ", ".join(names)})
    gdal_layer = source[source_layer if source_layer is not None else 0]
    declared = srs or gdal_layer.srs
    for index, feature in enumerate(_features(gdal_layer), start=1):
        properties = {}
        for name in feature.fields:
            value = feature.get(name)
            if value is not None and value != "":
                properties[name] = _jsonable(value)
        try:
            ogr = feature.geom
        except GDALException:
            yield SourceRow(index, None, properties, [_("the geometry is missing")])
            continue
        if ogr is None or ogr.empty:
            yield SourceRow(index, None, properties, [_("the geometry is missing")])
            continue
        try:
            yield SourceRow(index, _to_wgs84(ogr.clone(), declared), properties)
        except (GDALException, GEOSException) as error:
            yield SourceRow(index, None, properties,
                            [_("unreadable geometry: %(reason)s") % {"reason": error}])


# --- OpenStreetMap ---------------------------------------------------------------------

OSM_LAYERS = {"Point": "points", "MultiPoint": "points", "LineString": "lines",
              "MultiLineString": "lines", "Polygon": "multipolygons",
              "MultiPolygon": "multipolygons"}
_HSTORE_RE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def osm_tags(properties: dict[str, Any]) -> dict[str, str]:
    """GDAL's OSM fields plus its ``other_tags`` hstore text, as one tag dictionary."""
    tags = {key: str(value) for key, value in properties.items()
            if key not in {"other_tags", "osm_id", "osm_way_id", "z_order"}}
    for key, value in _HSTORE_RE.findall(str(properties.get("other_tags", ""))):
        tags[key.replace('\\"', '"')] = value.replace('\\"', '"')
    return tags


def _first(tags: dict[str, str], *pairs: tuple[str, str, str]) -> str | None:
    for key, value, kind in pairs:
        if key in tags and (value == "*" or tags[key] == value):
            return kind
    return None


def _osm_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def osm_properties(layer: Layer, tags: dict[str, str]) -> dict[str, Any]:
    """OpenStreetMap tags mapped to a layer's properties (the built-in layers know their
    tags; another layer takes the tags named like its schema's properties)."""
    code = layer.code
    props: dict[str, Any] = {}
    if code in {builtin.ADDRESSES, builtin.BUILDINGS}:
        props = {"street": tags.get("addr:street"), "housenumber": tags.get("addr:housenumber")}
        if code == builtin.ADDRESSES:
            props["postcode"] = tags.get("addr:postcode")
        else:
            props["levels"] = _osm_int(tags.get("building:levels"))
    elif code == builtin.STREETS:
        props = {"name": tags.get("name"), "name_en": tags.get("name:en")}
    elif code == builtin.LANDMARKS:
        props = {"kind": _first(tags, ("power", "pole", "pole"), ("power", "tower", "pole"),
                                ("highway", "street_lamp", "pole"), ("manhole", "*", "manhole"),
                                ("man_made", "manhole", "manhole"), ("natural", "tree", "tree"),
                                ("emergency", "fire_hydrant", "hydrant"),
                                ("amenity", "bench", "bench"),
                                ("traffic_sign", "*", "sign")) or "other",
                 "owner": tags.get("operator")}
    elif code == builtin.POI:
        props = {"name": tags.get("name"), "phone": tags.get("phone"),
                 "capacity": _osm_int(tags.get("capacity")),
                 "kind": _first(tags, ("amenity", "school", "school"),
                                ("amenity", "kindergarten", "kindergarten"),
                                ("amenity", "clinic", "clinic"), ("amenity", "doctors", "clinic"),
                                ("amenity", "hospital", "hospital"),
                                ("amenity", "pharmacy", "pharmacy"),
                                ("amenity", "parking", "parking"),
                                ("amenity", "waste_disposal", "waste"),
                                ("amenity", "recycling", "waste"),
                                ("highway", "bus_stop", "stop"),
                                ("public_transport", "platform", "stop"),
                                ("highway", "street_lamp", "streetlight"),
                                ("highway", "traffic_signals", "traffic_light"),
                                ("historic", "*", "heritage"), ("heritage", "*", "heritage"),
                                ("leisure", "pitch", "sports"),
                                ("leisure", "sports_centre", "sports"),
                                ("amenity", "townhall", "administration")) or "other"}
    elif code == builtin.SHELTERS:
        props = {"name": tags.get("name"), "capacity": _osm_int(tags.get("capacity"))}
    else:
        known = (layer.schema or {}).get("properties", {})
        props = {key: value for key, value in tags.items() if key in known}
    return {key: value for key, value in props.items() if value not in (None, "")}


def _osm_match(tags: dict[str, str], filters: list[tuple[str, str]]) -> bool:
    return not filters or any(key in tags and (value in {"*", tags[key]})
                              for key, value in filters)


def read_osm(path: Path, layer: Layer, filters: list[str], source_layer: str | None
             ) -> Iterator[SourceRow]:
    """OpenStreetMap XML/PBF through GDAL's OSM driver, filtered by tags and mapped."""
    parsed: list[tuple[str, str]] = []
    for item in filters:
        key, _sep, value = item.partition("=")
        if not key:
            raise ImportFailed(
                TwinCode.IMPORT_FAILED,
                _("An OSM filter looks like key=value or key=*: %(f)s") % {"f": item})
        parsed.append((key, value or "*"))
    name = source_layer or OSM_LAYERS.get(layer.geometry_type, "points")
    for source in read_gdal(path, None, name):
        tags = osm_tags(source.properties)
        if not _osm_match(tags, parsed):
            continue
        source.properties = osm_properties(layer, tags)
        yield source


def read_rows(path: Path, *, srs: str | None = None, source_layer: str | None = None,
              layer: Layer | None = None, osm_filters: list[str] | None = None
              ) -> Iterator[SourceRow]:
    """Rows of any supported file, by its extension."""
    if not path.exists():
        raise ImportFailed(TwinCode.IMPORT_FAILED, _("There is no file %(path)s.") % {"path": path})
    reference = spatial_reference(srs) if srs else None
    suffix = path.suffix.lower()
    if suffix in {".osm", ".pbf"} and layer is not None:
        return read_osm(path, layer, osm_filters or [], source_layer)
    if suffix in {".geojson", ".json"}:
        return read_geojson(path, reference)
    if suffix in {".csv", ".tsv", ".txt"}:
        return read_csv(path, reference)
    return read_gdal(path, reference, source_layer)


# --- Validation and writing --------------------------------------------------------------


def _coerce(layer: Layer, properties: dict[str, Any]) -> dict[str, Any]:
    """Text values from CSV/Shapefile become the types the layer's schema asks for."""
    declared = (layer.schema or {}).get("properties", {})
    typed = dict(properties)
    for key, value in properties.items():
        wanted = declared.get(key, {}).get("type") if isinstance(declared.get(key), dict) else None
        if not isinstance(value, str) or wanted in (None, "string"):
            continue
        try:
            if wanted == "integer" and value.lstrip("-").isdigit():
                typed[key] = int(value)
            elif wanted == "number":
                typed[key] = float(value.replace(",", "."))
            elif wanted == "boolean" and value.lower() in {"true", "false", "1", "0", "так", "ні"}:
                typed[key] = value.lower() in {"true", "1", "так"}
        except ValueError:
            pass  # left as text: the schema check reports it with the row
    return typed


def check_rows(layer: Layer, rows: Iterator[SourceRow]
               ) -> tuple[list[services.Draft], list[RowError], int]:
    drafts: list[services.Draft] = []
    errors: list[RowError] = []
    numbers: dict[str, int] = {}
    count = 0
    for source in rows:
        count += 1
        properties = _coerce(layer, source.properties)
        raw_number = properties.pop(NUMBER_KEY, None)
        number = str(raw_number) if raw_number is not None else None
        messages = list(source.errors)
        draft = None
        try:
            draft = services.check_feature(
                layer, source.geometry if source.geometry is not None else None,
                properties, number)
        except services.InvalidFeature as error:
            missing = _("the geometry is missing")
            messages.extend(message for message in error.errors if message not in messages
                            and not (source.errors and message == missing))
        if draft is not None and draft.number:
            if draft.number in numbers:
                messages.append(_("the number %(number)s is also on row %(row)s")
                                % {"number": draft.number, "row": numbers[draft.number]})
            numbers.setdefault(draft.number, source.row)
        for message in messages:
            errors.append(RowError(source.row, message))
        if draft is not None and not messages:
            drafts.append(draft)
    if numbers:
        taken = Feature.objects.filter(number__in=list(numbers)).values_list("number", flat=True)
        for number in taken:
            if number is None:
                continue
            errors.append(RowError(numbers[number], _("the number %(number)s is already "
                                                      "taken") % {"number": number}))
    errors.sort(key=lambda error: error.row)
    return drafts, errors, count


def import_file(path: str | Path, layer: Layer, *, srs: str | None = None,
                source_layer: str | None = None, user: Any = None, reason: str = "",
                dry_run: bool = False, osm_filters: list[str] | None = None) -> ImportReport:
    """Validate every row, then import all of them in one transaction, or none.

    Raises :class:`ImportFailed` when the file as a whole cannot be read.
    """
    path = Path(path)
    drafts, errors, count = check_rows(layer, read_rows(
        path, srs=srs, source_layer=source_layer, layer=layer, osm_filters=osm_filters))
    if count == 0:
        errors.append(RowError(0, _("the file has no features")))
    if errors or dry_run:
        return ImportReport(layer.code, count, 0, errors)
    with transaction.atomic():
        imported = services.bulk_create(drafts, user=user,
                                        reason=reason or _("import of %(file)s")
                                        % {"file": path.name})
        publish(LayerImported(layer=layer.code, count=imported, source=path.name))
    return ImportReport(layer.code, count, imported, [])


def export_file(layer: Layer, path: str | Path) -> int:
    """Write a layer's current features to a GeoJSON file; returns how many."""
    data = services.layer_collection(layer)
    Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return len(data["features"])
