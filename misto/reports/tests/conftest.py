"""A tiny city for the reports' tests, built through the twin's public import command."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from PIL import Image

import misto.twin as twin
from misto.reports import demo
from misto.testing import make_staff

WEST, EAST, SOUTH, NORTH = 35.10, 35.20, 47.80, 47.85


@dataclass
class City:
    landmarks: list[str]  # public numbers, west district first
    west: str  # district codes
    east: str


def _write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False))
    return path


def _box(w: float, s: float, e: float, n: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def build_city(tmp: Path) -> City:
    out = io.StringIO()
    call_command("twin", "import", str(_write(tmp / "d.geojson", [
        {"type": "Feature", "geometry": _box(WEST, SOUTH, 35.15, NORTH),
         "properties": {"name": "Західний", "katottg": "UA23060070010000012", "prefix": "12"}},
        {"type": "Feature", "geometry": _box(35.15, SOUTH, EAST, NORTH),
         "properties": {"name": "Східний", "katottg": "UA23060070010000013", "prefix": "13"}},
    ])), layer="districts", stdout=out)
    call_command("twin", "import", str(_write(tmp / "s.geojson", [
        {"type": "Feature", "properties": {"name": "Шевченка", "type": "вулиця"},
         "geometry": {"type": "LineString", "coordinates": [[35.11, 47.8203], [35.19, 47.8203]]}},
    ])), layer="streets", stdout=out)
    call_command("twin", "import", str(_write(tmp / "a.geojson", [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [35.1301, 47.8201]},
         "properties": {"street": "Шевченка", "housenumber": "1"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [35.1601, 47.8201]},
         "properties": {"street": "Шевченка", "housenumber": "12"}},
    ])), layer="addresses", stdout=out)
    call_command("twin", "import", str(_write(tmp / "l.geojson", [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, 47.8200]},
         "properties": {"kind": "pole"}}
        for lon in (35.1300, 35.1305, 35.1600, 35.2500)
    ])), layer="landmarks", stdout=out)
    call_command("twin", "number", layer="landmarks", stdout=out)
    numbers = []
    for lon in (35.1300, 35.1305, 35.1600, 35.2500):
        near = twin.nearest(lon, 47.82, 1, layer="landmarks")
        numbers.append(near[0].number or "")
    return City(numbers, "UA23060070010000012", "UA23060070010000013")


@pytest.fixture
def city(db, tmp_path) -> City:
    built = build_city(tmp_path)
    demo.load_tree()
    return built


@pytest.fixture
def clerk(db):
    return make_staff("clerk", "clerk", department="light")


@pytest.fixture
def other_clerk(db):
    return make_staff("roads-clerk", "clerk", department="roads")


@pytest.fixture
def resident(db):
    return get_user_model().objects.create_user("resident", password="pw")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(size: tuple[int, int] = (40, 30), gps: tuple[float, float] | None = None,
         orientation: int | None = None, comment: str = "") -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make: must be stripped
    exif[0x9286 if False else 0x010E] = comment or "private description"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        lon, lat = gps
        block = exif.get_ifd(0x8825)
        block[1] = "N"
        block[2] = (float(int(lat)), float(int((lat % 1) * 60)), ((lat * 3600) % 60))
        block[3] = "E"
        block[4] = (float(int(lon)), float(int((lon % 1) * 60)), ((lon * 3600) % 60))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: no test inherits another's hits."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
