"""What the maps' labels need: the tiles carry the text (names, house numbers, landmark numbers,
one label point per district) and the glyphs built at `make` time hold every character of it."""

from __future__ import annotations

from pathlib import Path

import mapbox_vector_tile
import pytest

from misto.twin import builtin, services, tiles
from misto.twin.models import Feature

GLYPHS = Path(__file__).resolve().parents[2] / "core" / "static" / "vendor" / "glyphs"
STACKS = ("DejaVuSans", "DejaVuSans-Bold")  # misto/core/static/misto/maps.js
# Latin, Latin Extended-A, spacing modifiers (the apostrophe ʼ), Cyrillic, punctuation (’ «»
# are in the first block, – — ’ in General Punctuation), letterlike symbols (№).
REQUIRED_RANGES = (0, 256, 512, 1024, 8192, 8448)


def decode_tile(client, z: int, x: int, y: int) -> dict:
    response = client.get(f"/api/twin/tiles/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    return mapbox_vector_tile.decode(response.content)


def test_tiles_carry_the_text_the_labels_show(client, tiny_city):
    district = Feature.objects.get(layer__code=builtin.DISTRICTS, name="Західний район")
    services.change_feature(district.pk, properties={**district.properties,
                                                     "name_en": "Western district"})
    z = 17
    x, y = tiles.tile_for(35.130, 47.8203, z)
    decoded = decode_tile(client, z, x, y)
    houses = {f["properties"].get("housenumber") for f in decoded["addresses"]["features"]}
    assert "1" in houses
    streets = {f["properties"].get("name") for f in decoded["streets"]["features"]}
    assert "Шевченка" in streets
    districts = decoded["districts"]["features"]
    assert {f["properties"].get("name_en") for f in districts} == {"Western district"}


def test_a_district_has_one_label_point_whatever_the_tiles(client, tiny_city):
    z = 13
    x0, y0 = tiles.tile_for(35.10, 47.85, z)
    x1, y1 = tiles.tile_for(35.15, 47.80, z)
    assert (x1 - x0 + 1) * (y1 - y0 + 1) > 1  # the district spans several tiles
    found = []
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            decoded = decode_tile(client, z, x, y)
            for feature in decoded.get("districts-labels", {}).get("features", []):
                if feature["properties"]["name"] == "Західний район":
                    found.append((x, y, feature))
    assert len(found) == 1
    x, y, feature = found[0]
    assert feature["geometry"]["type"] == "Point"
    px, py = feature["geometry"]["coordinates"]
    west, _south, east, _north = tiles.tile_bounds_4326(z, x, y)
    # mapbox_vector_tile turns y upwards; the point lies in the district and in the tile.
    lon = west + px / tiles.EXTENT * (east - west)
    assert 35.10 < lon < 35.15 and 0 <= py < tiles.EXTENT


def _glyph_ids(data: bytes) -> set[int]:
    """The code points in a glyph PBF (glyphs.proto: stacks=1 > glyphs=3 > id=1)."""

    def fields(buf: bytes):
        i = 0
        while i < len(buf):
            key, i = _varint(buf, i)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, i = _varint(buf, i)
                yield number, value
            elif wire == 2:
                size, i = _varint(buf, i)
                yield number, buf[i:i + size]
                i += size
            else:  # the format uses no other wire types
                raise ValueError(f"wire type {wire}")

    ids: set[int] = set()
    for number, stack in fields(data):
        if number == 1:
            for inner, glyph in fields(stack):
                if inner == 3:
                    ids.update(v for n, v in fields(glyph) if n == 1)
    return ids


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def _glyph_file(stack: str, start: int) -> Path:
    path = GLYPHS / stack / f"{start}-{start + 255}.pbf"
    if not path.exists():
        pytest.fail(f"{path} is missing: `make` builds the glyphs (cd frontend && npm ci && "
                    "npm run build)")
    return path


@pytest.mark.parametrize("stack", STACKS)
def test_the_glyphs_are_built_for_the_ranges_the_labels_use(stack):
    for start in range(0, 65536, 256):  # every block, so no label asks for a missing file
        assert (GLYPHS / stack / f"{start}-{start + 255}.pbf").exists(), (stack, start)
    for start in REQUIRED_RANGES:
        assert _glyph_ids(_glyph_file(stack, start).read_bytes()), (stack, start)


def test_every_character_of_the_demo_city_has_a_glyph(db):
    from misto.twin import demo

    demo.load()
    text = set("0123456789-–—«»ʼ’'., №")
    for feature in Feature.objects.filter(retired_at__isnull=True).iterator():
        props = feature.properties
        for value in (feature.name, feature.number, props.get("name_en"),
                      props.get("housenumber")):
            text.update(value or "")
    text.update("АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯабвгґдеєжзиіїйклмнопрстуфхцчшщьюя")
    needed: dict[int, set[int]] = {}
    for char in text:
        needed.setdefault(ord(char) // 256 * 256, set()).add(ord(char))
    for stack in STACKS:
        for start, points in needed.items():
            missing = points - _glyph_ids(_glyph_file(stack, start).read_bytes())
            assert not missing, (stack, start, "".join(map(chr, sorted(missing))))
