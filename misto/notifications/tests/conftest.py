"""The named test city (``misto.testing.world``) with the notifications' streets on top.

On the world's two districts, north of its own streets: four east-west streets; three
buildings on each of the first three streets in the west district (A) and one in the east
(B), two on the fourth street (B). The "outage area" covers the three streets' buildings in
district A (nine buildings) and none of the world's.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.utils import timezone

from misto.core import outbox
from misto.core.events import handlers_for
from misto.core.models import EventDelivery, OutboxEvent
from misto.notifications import push, services
from misto.notifications.models import FanOut
from misto.testing import make_staff
from misto.testing.e2e import free_port
from misto.testing.world import EAST_DISTRICT, WEST_DISTRICT, build_city
from misto.twin import builtin
from misto.twin import services as twin_services

DISTRICT_A = WEST_DISTRICT
DISTRICT_B = EAST_DISTRICT
# North of the world's streets (47.82-47.83), so the outage area holds none of its buildings.
STREETS = [("Садова", 47.840), ("Грушевського", 47.842), ("Івана Франка", 47.844),
           ("Соборний проспект", 47.848)]
OUTAGE_BBOX = (35.115, 47.839, 35.135, 47.8455)
M_LAT, M_LON = 1 / 111_320, 1 / 74_800


def rect(lon: float, lat: float, size_m: float = 20) -> Polygon:
    dx, dy = size_m / 2 * M_LON, size_m / 2 * M_LAT
    return Polygon.from_bbox((lon - dx, lat - dy, lon + dx, lat + dy))


@dataclass
class City:
    buildings: dict[str, int] = field(default_factory=dict)  # "street house" -> feature id
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    inside: list[str] = field(default_factory=list)  # buildings in the outage area

    @property
    def outage_area(self) -> Polygon:
        area = Polygon.from_bbox(OUTAGE_BBOX)
        area.srid = 4326
        return area


def load_city() -> City:
    """The world, then this module's streets, buildings and addresses through the twin."""
    build_city()
    city = City()
    layers = {code: twin_services.get_layer(code)
              for code in (builtin.STREETS, builtin.BUILDINGS, builtin.ADDRESSES)}
    for street, lat in STREETS:
        twin_services.create_feature(
            layers[builtin.STREETS],
            MultiLineString(LineString((35.11, lat), (35.19, lat)), srid=4326),
            {"name": street, "type": "вулиця"})
        lons = [35.160, 35.170] if lat > 47.845 else [35.120, 35.125, 35.130, 35.160]
        for number, lon in enumerate(lons, start=1):
            house = str(number * 2)
            key = f"{street} {house}"
            city.points[key] = (lon, lat + 0.0003)
            twin_services.create_feature(
                layers[builtin.BUILDINGS], MultiPolygon(rect(lon, lat + 0.0003), srid=4326),
                {"street": street, "housenumber": house, "use": "residential"})
            twin_services.create_feature(layers[builtin.ADDRESSES],
                                         Point(lon, lat + 0.0003, srid=4326),
                                         {"street": street, "housenumber": house})
            if lat < 47.845 and lon < 35.15:
                city.inside.append(key)
    for key, (lon, lat) in city.points.items():
        home = services.resolve_home("", lon, lat)
        assert home.building_id is not None, key
        city.buildings[key] = home.building_id
    return city


@pytest.fixture
def city(db) -> City:
    services.ensure_default_topics()
    return load_city()


@pytest.fixture
def make_resident():
    User = get_user_model()
    counter = iter(range(1, 100000))

    def make(home: tuple[float, float] | None = None, topics: tuple[str, ...] = ("housing",),
             email: str | None = None, **prefs: Any) -> Any:
        n = next(counter)
        address = f"r{n}@example.test" if email is None else email
        user = User.objects.create_user(f"resident{n}", email=address)
        if home is not None:
            found = services.resolve_home("", *home)
            services.set_home(user, found, default_topics=False)
            if topics:
                services.set_subscriptions(user, topics, [found.district])
        if prefs:
            services.update_preferences(user, **prefs)
        return user

    return make


@pytest.fixture
def staff():
    counter = iter(range(1, 100000))

    def make(name: str = "") -> Any:
        name = name or f"clerk{next(counter)}"
        return make_staff(name, "clerk", email=f"{name}@city.test")

    return make


class Inbox:
    """What a real SMTP server on loopback (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            message = message_from_bytes(envelope.original_content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in m["X-Envelope-To"]]


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def outage_draft(city: City, **extra: Any) -> services.Draft:
    now = timezone.now()
    data: dict[str, Any] = dict(
        kind="outage", outage_type="water", topics=["housing"], target="area",
        area=json.loads(city.outage_area.geojson), title_uk="Відключення води",
        title_en="Water outage", body_uk="Ремонт водогону.", body_en="Repairs to the main.",
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=9))
    data.update(extra)
    return services.Draft(**data)


def deliver_event(name: str, payload: dict[str, Any]) -> OutboxEvent:
    """Store the event as any publisher would, then let the outbox deliver it."""
    event = OutboxEvent.objects.create(name=name, payload=payload, occurred_at=timezone.now())
    for handler in handlers_for(name):
        if handler.app == "misto.notifications":
            row = EventDelivery.objects.create(event=event, handler=handler.id,
                                               next_attempt_at=event.occurred_at)
            assert outbox.deliver(row.pk)
            row.refresh_from_db()
            assert row.status == "delivered", row.last_error
    return event


def finish_fanout(announcement_id: int) -> None:
    job = FanOut.objects.get(announcement_id=announcement_id)
    services.run_fanout(job.pk)


class PushService(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        PushService.received.append(
            ({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def push_service() -> Iterator[str]:
    PushService.received = []
    server = HTTPServer(("127.0.0.1", 0), PushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/push/abc"
    server.shutdown()


@pytest.fixture
def vapid(settings, tmp_path) -> Iterator[None]:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "vapid.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.chmod(path, 0o600)
    settings.MISTO_VAPID_PRIVATE_KEY = str(path)
    push._private_key.cache_clear()
    yield
    push._private_key.cache_clear()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# Shelters for the emergency tests: one inside the outage area, one ~230 m east of it, one far
# away; with the world's two (1.6 and 2 km off) in the order the nearest come.
SHELTERS = [("Укриття «Школа № 5»", 35.127, 47.8415, 150), ("Укриття «Ліцей»", 35.138, 47.8415, 80),
            ("Укриття «Ринок»", 35.190, 47.805, 300)]
WORLD_SHELTERS = ["Укриття № 2", "Укриття № 1"]


@pytest.fixture
def shelters(city: City) -> list[str]:
    """The shelters' names, nearest to the outage area first."""
    layer = twin_services.get_layer(builtin.SHELTERS)
    for name, lon, lat, capacity in SHELTERS:
        twin_services.create_feature(layer, Point(lon, lat, srid=4326), {
            "name": name, "kind": "shelter", "capacity": capacity, "accessible": True,
            "hours": "цілодобово"})
    ours = [name for name, *_rest in SHELTERS]
    return [*ours[:2], *WORLD_SHELTERS, ours[2]]


def push_keys() -> tuple[Any, bytes, str]:
    """A browser's push key pair and auth secret, and its public key as sent to a server."""
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
    p256dh = b64(browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    return browser_key, auth_secret, p256dh
