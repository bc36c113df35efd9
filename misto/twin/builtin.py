"""The built-in layers every city starts with. A city adds its own as data, not code."""

from __future__ import annotations

from typing import Any

DISTRICTS = "districts"
STREETS = "streets"
ADDRESSES = "addresses"
BUILDINGS = "buildings"
LAND_PLOTS = "land-plots"
NETWORKS = "networks"
LANDMARKS = "landmarks"
POI = "poi"
SHELTERS = "shelters"


def _object(properties: dict[str, Any], required: list[str] | None = None,
            closed: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


_TEXT = {"type": "string", "maxLength": 300}
_NAME = {"name": _TEXT, "name_en": _TEXT}

LAYERS: list[dict[str, Any]] = [
    {
        "code": DISTRICTS, "title_uk": "Райони", "title_en": "Districts",
        "geometry_type": "MultiPolygon", "owner_department": "architecture",
        "min_zoom": 0, "color": "#5b7fa6",
        "schema": _object({
            **_NAME,
            "katottg": {"type": "string", "pattern": "^UA[0-9]{17}$"},
            "prefix": {"type": "string", "pattern": "^[0-9A-Z]{1,4}$"},
        }, required=["name", "katottg", "prefix"]),
    },
    {
        "code": STREETS, "title_uk": "Вулиці", "title_en": "Streets",
        "geometry_type": "MultiLineString", "owner_department": "architecture",
        "min_zoom": 11, "color": "#8a8f96",
        "schema": _object({
            **_NAME,
            "type": {"enum": ["вулиця", "проспект", "бульвар", "провулок", "площа", "шосе",
                              "узвіз", "набережна", "майдан", "проїзд"]},
            # OpenStreetMap's tag: "yes" one way along the line as drawn, "-1" against it.
            "oneway": {"enum": ["yes", "no", "-1"]},
        }, required=["name"]),
    },
    {
        "code": ADDRESSES, "title_uk": "Адресні точки", "title_en": "Address points",
        "geometry_type": "Point", "owner_department": "architecture",
        "min_zoom": 16, "color": "#6c4f9e",
        "schema": _object({
            "street": _TEXT, "housenumber": {"type": "string", "maxLength": 20},
            "postcode": {"type": "string", "pattern": "^[0-9]{5}$"},
            "katottg": {"type": "string", "pattern": "^UA[0-9]{17}$"},
        }, required=["street", "housenumber"]),
    },
    {
        "code": BUILDINGS, "title_uk": "Будівлі", "title_en": "Buildings",
        "geometry_type": "MultiPolygon", "owner_department": "architecture",
        "min_zoom": 14, "color": "#c9b8a0",
        "schema": _object({
            "street": _TEXT, "housenumber": {"type": "string", "maxLength": 20},
            "levels": {"type": "integer", "minimum": 1, "maximum": 200},
            "use": {"enum": ["residential", "public", "commercial", "industrial", "other"]},
            "year": {"type": "integer", "minimum": 1000, "maximum": 2100},
        }),
    },
    {
        "code": LAND_PLOTS, "title_uk": "Земельні ділянки", "title_en": "Land plots",
        "geometry_type": "MultiPolygon", "owner_department": "land", "min_zoom": 15,
        "visibility": "public", "color": "#9cb86b",
        "schema": _object({
            "cadastral": {"type": "string",
                          "pattern": "^[0-9]{10}:[0-9]{2}:[0-9]{3}:[0-9]{4}$"},
            "purpose": _TEXT, "area_m2": {"type": "number", "minimum": 0},
        }, required=["cadastral"]),
    },
    {
        "code": NETWORKS, "title_uk": "Інженерні мережі", "title_en": "Engineering networks",
        "geometry_type": "MultiLineString", "owner_department": "utilities", "min_zoom": 14,
        "visibility": "staff", "color": "#1f8fbf",
        "schema": _object({
            "network": {"enum": ["water", "sewer", "heat", "power", "telecom", "gas"]},
            "owner": _TEXT, "diameter_mm": {"type": "integer", "minimum": 0},
            "voltage_kv": {"type": "number", "minimum": 0}, "year": {"type": "integer"},
        }, required=["network", "owner"]),
    },
    {
        "code": LANDMARKS, "title_uk": "Орієнтири", "title_en": "Landmarks",
        "geometry_type": "Point", "owner_department": "utilities", "min_zoom": 15,
        "numbered": True, "numbering": {"prefix": "{district}-", "digits": 4},
        "color": "#d9480f",
        "schema": _object({
            "kind": {"enum": ["pole", "manhole", "tree", "hydrant", "bench", "sign",
                              "cabinet", "other"]},
            "owner": _TEXT, "note": _TEXT,
        }, required=["kind"]),
    },
    {
        "code": POI, "title_uk": "Об'єкти інфраструктури", "title_en": "Points of interest",
        "geometry_type": "Point", "owner_department": "architecture", "min_zoom": 13,
        "color": "#2b8a3e",
        "schema": _object({
            **_NAME,
            "kind": {"enum": ["school", "kindergarten", "clinic", "hospital", "stop",
                              "parking", "waste", "streetlight", "traffic_light", "heritage",
                              "sports", "pharmacy", "administration", "other"]},
            "address": _TEXT, "capacity": {"type": "integer", "minimum": 0},
            "phone": {"type": "string", "maxLength": 40},
        }, required=["kind"]),
    },
    {
        "code": SHELTERS, "title_uk": "Укриття", "title_en": "Shelters",
        "geometry_type": "Point", "owner_department": "civil-protection", "min_zoom": 12,
        "color": "#e03131",
        "schema": _object({
            **_NAME,
            "kind": {"enum": ["shelter", "dual_use", "simple"]},
            "capacity": {"type": "integer", "minimum": 0},
            "address": _TEXT, "accessible": {"type": "boolean"},
            "hours": {"type": "string", "maxLength": 100},
            # Set by the shelter's keeper from a phone (twin.shelter.status); routing sends
            # people only to open ones.
            "status": {"enum": ["open", "closed", "unknown"]},
            "keeper": _TEXT, "keeper_department": {"type": "string", "maxLength": 64},
            "accessibility": _TEXT,
        }, required=["capacity"]),
    },
]
