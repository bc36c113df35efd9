"""The demo city: a deterministic, made-up Ukrainian city for every module to stand on.

No real data set fits offline (no OpenStreetMap extract of a Ukrainian city ships in a
registry package), so the city is generated: six districts with KATOTTG-like codes, a street
grid with Ukrainian street names, buildings and address points with house numbers (odd on one
side, even on the other), a few thousand numbered landmarks, points of interest and shelters.
It lies on the left bank of the Dnipro near 47.84 N, 35.16 E; its streets are invented and do
not match the real city there. The generated data is under the project's licence (AGPL-3.0).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.db import transaction

from misto.twin import builtin, services
from misto.twin.models import Feature
from misto.twin.text import english_street_name

SEED = 20260424
WEST, EAST = 35.115, 35.215
SOUTH, NORTH = 47.815, 47.875
MID_LAT = (SOUTH + NORTH) / 2
M_LAT = 1 / 111_320  # degrees of latitude per metre
M_LON = 1 / (111_320 * math.cos(math.radians(MID_LAT)))

DISTRICTS = [
    # (name, name_en, prefix, west, south, east, north)
    ("Дніпровський", "Dniprovskyi", "11", WEST, 47.845, 35.150, NORTH),
    ("Центральний", "Tsentralnyi", "12", 35.150, 47.845, 35.182, NORTH),
    ("Вознесенівський", "Voznesenivskyi", "13", 35.182, 47.845, EAST, NORTH),
    ("Хортицький", "Khortytskyi", "14", WEST, SOUTH, 35.147, 47.845),
    ("Шевченківський", "Shevchenkivskyi", "15", 35.147, SOUTH, 35.185, 47.845),
    ("Олександрівський", "Oleksandrivskyi", "16", 35.185, SOUTH, EAST, 47.845),
]

# West-to-east streets (south to north) and south-to-north streets (west to east).
EW_STREETS = [
    ("Незалежності", "вулиця"), ("Лесі Українки", "вулиця"), ("Івана Франка", "вулиця"),
    ("Михайла Грушевського", "вулиця"), ("Героїв Мариуполя", "вулиця"),
    ("Василя Стуса", "вулиця"), ("Соборний проспект", "проспект"),
    ("Олександра Довженка", "вулиця"),
    ("Ліни Костенко", "вулиця"), ("Січових Стрільців", "вулиця"),
    ("Григорія Сковороди", "вулиця"), ("Пилипа Орлика", "вулиця"),
    ("Володимира Великого", "вулиця"),
]
NS_STREETS = [
    ("Шевченка", "вулиця"), ("Дніпровська", "вулиця"), ("Козацька", "вулиця"),
    ("Запорізька", "вулиця"), ("Хортицька", "вулиця"), ("Ярослава Мудрого", "вулиця"),
    ("Європейська", "вулиця"), ("бульвар Свободи", "бульвар"), ("Княгині Ольги", "вулиця"),
    ("Гетьмана Мазепи", "вулиця"), ("Богдана Хмельницького", "вулиця"),
    ("Квітки-Основ'яненка", "вулиця"), ("Симона Петлюри", "вулиця"),
    ("В'ячеслава Чорновола", "вулиця"), ("Каштанова", "вулиця"),
]


def _ew_lat(index: int) -> float:
    return SOUTH + 0.0025 + index * (NORTH - SOUTH - 0.005) / (len(EW_STREETS) - 1)


def _ns_lon(index: int) -> float:
    return WEST + 0.003 + index * (EAST - WEST - 0.006) / (len(NS_STREETS) - 1)


def _rect(lon: float, lat: float, width_m: float, depth_m: float) -> Polygon:
    dx, dy = width_m / 2 * M_LON, depth_m / 2 * M_LAT
    return Polygon(((lon - dx, lat - dy), (lon + dx, lat - dy), (lon + dx, lat + dy),
                    (lon - dx, lat + dy), (lon - dx, lat - dy)), srid=4326)


@dataclass
class Row:
    layer: str
    geometry: Any
    properties: dict[str, Any]


def generate(seed: int = SEED) -> list[Row]:
    """The whole demo city as rows (same seed, same city)."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for index, (name, name_en, prefix, west, south, east, north) in enumerate(DISTRICTS):
        rows.append(Row(builtin.DISTRICTS, MultiPolygon(
            Polygon.from_bbox((west, south, east, north)), srid=4326), {
            "name": f"{name} район", "name_en": f"{name_en} district",
            "katottg": f"UA23060070010{index + 1:06d}", "prefix": prefix,
        }))
    ns_lons = [_ns_lon(i) for i in range(len(NS_STREETS))]
    ew_lats = [_ew_lat(i) for i in range(len(EW_STREETS))]
    # Streets have English names (as OpenStreetMap's name:en gives them) for English maps.
    for (name, kind), lat in zip(EW_STREETS, ew_lats, strict=True):
        line = LineString((WEST, lat), (EAST, lat), srid=4326)
        rows.append(Row(builtin.STREETS, MultiLineString(line, srid=4326),
                        {"name": name, "name_en": english_street_name(name, kind),
                         "type": kind}))
    for (name, kind), lon in zip(NS_STREETS, ns_lons, strict=True):
        line = LineString((lon, SOUTH), (lon, NORTH), srid=4326)
        rows.append(Row(builtin.STREETS, MultiLineString(line, srid=4326),
                        {"name": name, "name_en": english_street_name(name, kind),
                         "type": kind}))
    rows.extend(_buildings(rng, ew_lats, ns_lons))
    rows.extend(_landmarks(rng, ew_lats, ns_lons))
    rows.extend(_places(rng, ew_lats, ns_lons))
    rows.extend(_networks(ew_lats, ns_lons))
    return rows


def _near_crossing(value: float, crossings: list[float], metres: float, per_m: float) -> bool:
    return any(abs(value - c) < metres * per_m for c in crossings)


def _buildings(rng: random.Random, ew_lats: list[float], ns_lons: list[float]) -> list[Row]:
    rows: list[Row] = []
    step = 85.0
    for (street, _kind), lat in zip(EW_STREETS, ew_lats, strict=True):
        numbers = {1: 1, -1: 2}  # north side odd, south side even
        steps = int((EAST - WEST) / (step * M_LON))
        for i in range(1, steps):
            lon = WEST + i * step * M_LON
            if _near_crossing(lon, ns_lons, 45, M_LON):
                continue
            for side in (1, -1):
                number = numbers[side]
                numbers[side] += 2
                if rng.random() < 0.08:
                    continue  # an empty lot: numbering skips it, as in real streets
                house = str(number) + (rng.choice("абв") if rng.random() < 0.05 else "")
                centre_lat = lat + side * 26 * M_LAT
                rows.extend(_building(rng, street, house, lon, centre_lat))
    for (street, _kind), lon in zip(NS_STREETS, ns_lons, strict=True):
        numbers = {1: 1, -1: 2}  # east side odd, west side even
        steps = int((NORTH - SOUTH) / (step * M_LAT))
        for i in range(1, steps):
            lat = SOUTH + i * step * M_LAT
            if _near_crossing(lat, ew_lats, 45, M_LAT):
                continue
            for side in (1, -1):
                number = numbers[side]
                numbers[side] += 2
                if rng.random() < 0.08:
                    continue
                house = str(number)
                rows.extend(_building(rng, street, house, lon + side * 26 * M_LON, lat))
    return rows


def _building(rng: random.Random, street: str, house: str, lon: float, lat: float
              ) -> list[Row]:
    levels = rng.choice([1, 2, 2, 3, 5, 5, 9, 9, 9, 12, 16])
    width, depth = (rng.uniform(14, 22), rng.uniform(10, 16)) if levels < 5 else \
        (rng.uniform(30, 55), rng.uniform(12, 16))
    use = "residential" if rng.random() < 0.85 else rng.choice(["public", "commercial"])
    year = rng.randint(1955, 2021)
    return [
        Row(builtin.BUILDINGS, MultiPolygon(_rect(lon, lat, min(width, 60), depth), srid=4326),
            {"street": street, "housenumber": house, "levels": levels, "use": use,
             "year": year}),
        Row(builtin.ADDRESSES, Point(lon, lat, srid=4326),
            {"street": street, "housenumber": house, "postcode": "69001"}),
    ]


def _landmarks(rng: random.Random, ew_lats: list[float], ns_lons: list[float]) -> list[Row]:
    rows: list[Row] = []

    def along(kind: str, every_m: float, offset_m: float, owner: str) -> None:
        for lat in ew_lats:
            for i in range(1, int((EAST - WEST) / (every_m * M_LON))):
                lon = WEST + i * every_m * M_LON + rng.uniform(-3, 3) * M_LON
                rows.append(Row(builtin.LANDMARKS, Point(lon, lat + offset_m * M_LAT, srid=4326),
                                {"kind": kind, "owner": owner}))
        for lon in ns_lons:
            for i in range(1, int((NORTH - SOUTH) / (every_m * M_LAT))):
                lat = SOUTH + i * every_m * M_LAT + rng.uniform(-3, 3) * M_LAT
                rows.append(Row(builtin.LANDMARKS, Point(lon + offset_m * M_LON, lat, srid=4326),
                                {"kind": kind, "owner": owner}))

    along("pole", 100, 9, "Міськсвітло")
    along("manhole", 170, 0, "Водоканал")
    along("hydrant", 420, -9, "Водоканал")
    # Trees line the avenue and the boulevard.
    avenue = ew_lats[6]
    for i in range(1, int((EAST - WEST) / (14 * M_LON))):
        for side in (-14, 14):
            rows.append(Row(builtin.LANDMARKS, Point(WEST + i * 14 * M_LON,
                                                     avenue + side * M_LAT, srid=4326),
                            {"kind": "tree", "owner": "Зеленбуд"}))
    boulevard = ns_lons[7]
    for i in range(1, int((NORTH - SOUTH) / (20 * M_LAT))):
        rows.append(Row(builtin.LANDMARKS, Point(boulevard, SOUTH + i * 20 * M_LAT, srid=4326),
                        {"kind": "tree", "owner": "Зеленбуд"}))
    return rows


def _places(rng: random.Random, ew_lats: list[float], ns_lons: list[float]) -> list[Row]:
    rows: list[Row] = []
    blocks = [(lon, lat) for lon in _midpoints(ns_lons) for lat in _midpoints(ew_lats)]
    rng.shuffle(blocks)
    counts = [("school", "Ліцей № {n}", 18, (600, 1400)),
              ("kindergarten", "Заклад дошкільної освіти № {n}", 22, (120, 280)),
              ("clinic", "Амбулаторія сімейної медицини № {n}", 9, None),
              ("hospital", "Міська лікарня № {n}", 2, None),
              ("sports", "Спортивний майданчик № {n}", 10, None),
              ("pharmacy", "Аптека № {n}", 14, None),
              ("heritage", "Пам'ятка архітектури № {n}", 6, None),
              ("parking", "Парковка № {n}", 14, (40, 300))]
    position = 0
    for kind, label, count, capacity in counts:
        for n in range(1, count + 1):
            lon, lat = blocks[position % len(blocks)]
            position += 1
            jitter_lon = rng.uniform(-60, 60) * M_LON
            jitter_lat = rng.uniform(-60, 60) * M_LAT
            props: dict[str, Any] = {"kind": kind, "name": label.format(n=n)}
            if capacity:
                props["capacity"] = rng.randint(*capacity)
            rows.append(Row(builtin.POI, Point(lon + jitter_lon, lat + jitter_lat, srid=4326),
                            props))
    rows.append(Row(builtin.POI, Point(ns_lons[7] + 60 * M_LON, ew_lats[6] + 60 * M_LAT,
                                       srid=4326),
                    {"kind": "administration", "name": "Міська рада",
                     "address": "Соборний проспект, 1"}))
    # Public-transport stops along the avenue and the boulevard, waste containers everywhere.
    for i, lon in enumerate(_midpoints(ns_lons)):
        rows.append(Row(builtin.POI, Point(lon, ew_lats[6] + 12 * M_LAT, srid=4326),
                        {"kind": "stop", "name": f"Зупинка «{NS_STREETS[i][0]}»"}))
    for i, lat in enumerate(_midpoints(ew_lats)):
        rows.append(Row(builtin.POI, Point(ns_lons[7] + 12 * M_LON, lat, srid=4326),
                        {"kind": "stop", "name": f"Зупинка «{EW_STREETS[i][0]}»"}))
    for lon, lat in blocks[:70]:
        rows.append(Row(builtin.POI, Point(lon + 80 * M_LON, lat - 80 * M_LAT, srid=4326),
                        {"kind": "waste", "name": "Контейнерний майданчик"}))
    for n, (lon, lat) in enumerate(blocks[20:62], start=1):
        rows.append(Row(builtin.SHELTERS, Point(lon - 40 * M_LON, lat + 40 * M_LAT, srid=4326), {
            "name": f"Укриття № {n}", "kind": rng.choice(["shelter", "dual_use", "simple"]),
            "capacity": rng.choice([50, 80, 120, 150, 200, 300, 450]),
            "accessible": rng.random() < 0.6, "hours": "цілодобово",
            # Most are open; a few closed or not yet checked, as on a real alert night.
            "status": "closed" if n % 7 == 0 else "unknown" if n % 11 == 0 else "open",
            "keeper": "Управління з питань надзвичайних ситуацій",
            "keeper_department": "civil-protection",
        }))
    return rows


def _networks(ew_lats: list[float], ns_lons: list[float]) -> list[Row]:
    rows: list[Row] = []
    for lat in ew_lats[::2]:
        line = LineString((WEST, lat + 4 * M_LAT), (EAST, lat + 4 * M_LAT), srid=4326)
        rows.append(Row(builtin.NETWORKS, MultiLineString(line, srid=4326),
                        {"network": "water", "owner": "КП «Водоканал»", "diameter_mm": 300}))
    for lon in ns_lons[1::3]:
        line = LineString((lon - 4 * M_LON, SOUTH), (lon - 4 * M_LON, NORTH), srid=4326)
        rows.append(Row(builtin.NETWORKS, MultiLineString(line, srid=4326),
                        {"network": "power", "owner": "Обленерго", "voltage_kv": 10.0}))
    return rows


def _midpoints(values: list[float]) -> list[float]:
    return [(a + b) / 2 for a, b in itertools.pairwise(values)]


def load(stdout: IO[str] | None = None) -> None:
    """Load the demo city unless the twin already has districts (idempotent)."""
    services.ensure_builtin_layers()
    if Feature.objects.filter(layer__code=builtin.DISTRICTS).exists():
        if stdout:
            stdout.write("  twin: the city already has districts; nothing to do\n")
        return
    rows = generate()
    layers = {code: services.get_layer(code) for code in {row.layer for row in rows}}
    drafts = [services.check_feature(layers[row.layer], row.geometry, row.properties)
              for row in rows]
    with transaction.atomic():
        services.bulk_create(drafts, reason="demo city")
        numbered = services.number_layer(layers[builtin.LANDMARKS])
    if stdout:
        stdout.write(f"  twin: {len(drafts)} features, {numbered.numbered} numbered landmarks\n")
