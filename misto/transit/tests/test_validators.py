"""The feeds pass independent validators: the exported static feed the canonical GTFS rules
(``gtfs-validator``), the three GTFS-Realtime feeds the GTFS-RT rules against it
(``gtfs-rt-validator``): no notice of ERROR severity."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from gtfs_rt_validator.cli import main as validate_realtime
from gtfs_validator.cli import main as validate_static

from misto.transit.models import Alert
from misto.transit.services import positions, realtime
from misto.transit.tests.conftest import fix

pytestmark = pytest.mark.django_db


def _errors(report: Path) -> list[str]:
    notices = json.loads(report.read_text("utf-8")).get("notices", [])
    return [f"{n['code']}: {json.dumps(n.get('sampleNotices', [])[:1], ensure_ascii=False)}"
            for n in notices if n.get("severity") == "ERROR"]


def test_the_exported_feed_passes_the_gtfs_validator(feed: Any, client: Client,
                                                     tmp_path: Path) -> None:
    archive = tmp_path / "feed.zip"
    archive.write_bytes(client.get("/gtfs/feed.zip").content)
    validate_static(["-i", str(archive), "-o", str(tmp_path / "out"), "-c", "UA"])
    assert _errors(tmp_path / "out" / "report.json") == []


def test_the_realtime_feeds_pass_the_gtfs_rt_validator(live_feed: Any, bus: Any,
                                                       client: Client, tmp_path: Path) -> None:
    _feed, left = live_feed
    vehicle, _key = bus
    positions.record(vehicle, fix(0.0, left, passengers=8))
    positions.record(vehicle, fix(0.2, left + timedelta(seconds=100), boarded=3))
    Alert.objects.create(header="Об'їзд", header_en="Detour", effect="DETOUR",
                         route_ids=["R1"])
    realtime.forget()
    archive = tmp_path / "feed.zip"
    archive.write_bytes(client.get("/gtfs/feed.zip").content)
    paths = {}
    for kind, flag in (("vehicle-positions", "-vp"), ("trip-updates", "-tu"),
                       ("alerts", "-sa")):
        body = client.get(f"/gtfs-rt/{kind}.pb").content
        assert body
        paths[flag] = tmp_path / f"{kind}.pb"
        paths[flag].write_bytes(body)
    validate_realtime(["-gtfs", str(archive), *[a for flag, path in paths.items()
                                                 for a in (flag, str(path))],
                       "--out", str(tmp_path / "rt")])
    assert _errors(tmp_path / "rt" / "report.json") == []
