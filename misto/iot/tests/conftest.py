"""Fixtures of the IoT tests: the demo catalogue and a few registered devices."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from misto.iot.ingest import reset_directory
from misto.iot.rules import reset_rule_index


@pytest.fixture(autouse=True)
def _fresh_caches():
    reset_directory()
    reset_rule_index()
    yield
    reset_directory()
    reset_rule_index()


@pytest.fixture
def catalogue(db):
    from misto.iot.demo import ensure_catalogue

    return ensure_catalogue()


@pytest.fixture
def devices(catalogue):
    from misto.iot.services import register_device

    return {
        "aq": register_device("aq-t1", "Air station", "aq-station", lon=35.16, lat=47.84),
        "bin": register_device("bin-t1", "Bin", "bin-lpp", lon=35.161, lat=47.841,
                               dev_eui="70B3D57ED005B15A"),
        "water": register_device("water-t1", "Water meter", "water-meter", lon=35.17,
                                 lat=47.85, dev_eui="0101010101010101"),
    }


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def at(minutes: float) -> datetime:
    """A time ``minutes`` after a fixed recent instant."""
    base = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    return base + timedelta(minutes=minutes)
