"""The reports' tests on the shared named city (misto.testing.world) with what reports need
on top: two more numbered landmarks (one beside the world's hydrant, one in the east) and the
east district's "Шевченка 12"; the service tree; people made by misto.testing.make_staff."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.cache import cache
from PIL import Image

import misto.twin as twin
from misto.core import ratelimit
from misto.reports import demo
from misto.testing import make_staff, world
from misto.twin import builtin
from misto.twin import services as twin_services

# Poles along Шевченка (lat 47.82): two in the west district 37 m apart (beside the world's
# hydrant), one in the east district and one east of the city.
LANDMARK_LONS = (35.1300, 35.1305, 35.1600, 35.2500)


@dataclass
class City(world.City):
    landmarks: list[str] = field(default_factory=list)  # numbers, as in LANDMARK_LONS


def build_city() -> City:
    base = world.build_city()
    landmarks = twin_services.get_layer(builtin.LANDMARKS)
    for lon in LANDMARK_LONS:
        twin_services.create_feature(landmarks, Point(lon, 47.8200, srid=4326),
                                     {"kind": "pole"})
    twin_services.number_layer(landmarks)
    twin_services.create_feature(twin_services.get_layer(builtin.ADDRESSES),
                                 Point(35.1601, 47.8201, srid=4326),
                                 {"street": "Шевченка", "housenumber": "12"})
    numbers = [twin.nearest(lon, 47.8200, 1, layer="landmarks")[0].number or ""
               for lon in LANDMARK_LONS]
    return City(west=base.west, east=base.east, landmarks=numbers)


@pytest.fixture
def city(db) -> City:
    built = build_city()
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


# Half an hour and half a minute into an hour: mid-window for the limits the tests set.
MID_WINDOW = 1_800_000_000 + 1830


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    """Rate-limit counters live in the cache: no test inherits another's hits. And the
    limiter's windows are fixed slices of the clock, so a test whose hits straddle a
    window's end saw its counter start again (a third post allowed), and one run in an
    hour's last minute got a Retry-After under 60 s: its clock is pinned mid-window."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: MID_WINDOW))
    cache.clear()
    yield
    cache.clear()
