"""The named test city (misto/testing/world.py) with one more address, and register helpers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from misto.residents import rnokpp
from misto.residents.services import create_person
from misto.testing import make_staff, world
from misto.testing.e2e import free_port
from misto.twin import builtin
from misto.twin import services as twin

WEST = world.WEST_DISTRICT
EAST = world.EAST_DISTRICT
# The register's tests need one house of Шевченка in the eastern district, besides the named
# city's (Шевченка 1 and Лесі Українки 5 are in the western one).
SHEVCHENKA_12 = (35.160, 47.8197)


@pytest.fixture
def city(db) -> world.City:
    built = world.build_city()
    lon, lat = SHEVCHENKA_12
    twin.create_feature(twin.get_layer(builtin.ADDRESSES), Point(lon, lat, srid=4326),
                        {"street": "Шевченка", "housenumber": "12"})
    return built


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
    """A resident (no role), or a role holder made by ``misto.testing.make_staff``."""
    counter = iter(range(1, 10_000))

    def make(role: str | None = None, department: str = "", district: str = "",
             **fields: Any):
        username = f"user{next(counter)}"
        if role:
            return make_staff(username, role, department, district, **fields)
        return get_user_model().objects.create_user(username, password="pw", **fields)

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
