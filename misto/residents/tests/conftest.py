"""A tiny twin city (through the twin's public import command) and register helpers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from misto.core.models import StaffAssignment
from misto.residents import rnokpp
from misto.residents.services import create_person
from misto.testing.e2e import free_port

WEST = "UA23060070010000012"
EAST = "UA23060070010000013"


def _feature(geometry: dict, **properties: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1],
                                                [x0, y0]]]}


@dataclass
class City:
    west: str = WEST
    east: str = EAST


@pytest.fixture
def city(db, tmp_path) -> City:
    layers = {
        "districts": [
            _feature(_box(35.10, 47.80, 35.15, 47.85), name="Західний район", katottg=WEST,
                     prefix="12"),
            _feature(_box(35.15, 47.80, 35.20, 47.85), name="Східний район", katottg=EAST,
                     prefix="13"),
        ],
        "streets": [
            _feature({"type": "LineString", "coordinates": [[35.11, 47.82], [35.19, 47.82]]},
                     name="Шевченка", type="вулиця"),
            _feature({"type": "LineString", "coordinates": [[35.11, 47.83], [35.19, 47.83]]},
                     name="Лесі Українки", type="вулиця"),
        ],
        "addresses": [
            _feature({"type": "Point", "coordinates": [35.130, 47.8203]},
                     street="Шевченка", housenumber="1"),
            _feature({"type": "Point", "coordinates": [35.160, 47.8197]},
                     street="Шевченка", housenumber="12"),
            _feature({"type": "Point", "coordinates": [35.140, 47.8303]},
                     street="Лесі Українки", housenumber="5"),
        ],
    }
    for layer, features in layers.items():
        path = tmp_path / f"{layer}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                   ensure_ascii=False), encoding="utf-8")
        call_command("twin", "import", str(path), "--layer", layer)
    return City()


def person_data(serial: int = 1, *, address: str = "вул. Шевченка, 1",
                born: date = date(1985, 4, 12), **extra: object) -> dict:
    data: dict[str, object] = {
            "last_name": "Тестенко", "first_name": "Олена", "patronymic": "Іванівна",
            "birth_date": born.isoformat(), "rnokpp": rnokpp.make(born, serial, True),
            "phone": "050 123 45 67", "email": f"olena{serial}@example.org",
            "address": address}
    data.update(extra)
    return data


@pytest.fixture
def make_person(city):
    def make(serial: int = 1, user=None, **kwargs):
        return create_person(person_data(serial, **kwargs), by=None, basis="test", user=user)

    return make


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(role: str | None = None, department: str = "", district: str = "",
             **fields: Any):
        user = get_user_model().objects.create_user(f"user{next(counter)}", password="pw",
                                                    **fields)
        if role:
            StaffAssignment.objects.create(user=user, role=role, department=department,
                                           district=district)
        return user

    return make


# --- A real OpenID provider on loopback -------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "frontend" / "node_modules"
CLIENT_ID = "misto-test"
CLIENT_SECRET = "misto-test-secret-0123456789"
ACCOUNTS = {
    "olena": {"rnokpp": rnokpp.make(date(1985, 4, 12), 1, True), "birthdate": "1985-04-12",
              "family_name": "Тестенко", "given_name": "Олена"},
    "stranger": {"rnokpp": rnokpp.make(date(1990, 1, 1), 999, False),
                 "birthdate": "1990-01-01"},
    "impostor": {"rnokpp": rnokpp.make(date(1985, 4, 12), 1, True), "birthdate": "1966-06-06"},
}


@pytest.fixture
def oidc_provider():
    """Start ``oidc_provider.mjs`` (npm ``oidc-provider``) for given redirect URIs."""
    if shutil.which("node") is None or not (NODE_MODULES / "oidc-provider").is_dir():
        pytest.fail("node and frontend/node_modules/oidc-provider are needed (make installs "
                    "them with npm ci)")
    started: list[subprocess.Popen[str]] = []

    def start(*redirect_uris: str) -> dict[str, dict[str, str]]:
        port = free_port()
        env = dict(os.environ, OIDC_PORT=str(port), OIDC_CLIENT_ID=CLIENT_ID,
                   OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_REDIRECT_URIS=",".join(redirect_uris),
                   OIDC_ACCOUNTS=json.dumps(ACCOUNTS), NODE_PATH=str(NODE_MODULES))
        process = subprocess.Popen(["node", str(Path(__file__).with_name("oidc_provider.mjs"))],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        started.append(process)
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if "ready" in line:
                break
            if not line and process.poll() is not None:
                pytest.fail("the OpenID provider did not start")
        issuer = f"http://127.0.0.1:{port}"
        return {"local": {"title": "Local ID", "issuer": issuer, "client_id": CLIENT_ID,
                          "client_secret": CLIENT_SECRET, "scope": "openid profile rnokpp"}}

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in throttling counts failures in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english():
    """Messages in English (Ukrainian is the default language) for exact assertions."""
    from django.utils import translation

    with translation.override("en"):
        yield
