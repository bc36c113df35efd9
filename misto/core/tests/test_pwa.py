"""The installable app's public interfaces: /manifest.webmanifest and /sw.js."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from misto.core import icons
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


def manifest(client: Client, language: str | None = None) -> dict:
    headers = {"Accept-Language": language} if language else {}
    response = client.get("/manifest.webmanifest", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "Accept-Language" in response["Vary"]
    return json.loads(response.content)


def test_manifest_is_ukrainian_by_default_and_english_on_request(client, settings) -> None:
    settings.MISTO_CITY_NAME = ""
    uk = manifest(client)
    assert uk["lang"] == "uk"
    assert uk["name"] == "Місто — ваше місто в одному місці"
    assert uk["short_name"] == "Місто"
    en = manifest(client, "en")
    assert en["lang"] == "en"
    assert en["name"] == "Misto — your city in one place"
    for body in (uk, en):
        assert body["start_url"] == "/" and body["scope"] == "/" and body["id"] == "/"
        assert body["display"] == "standalone"
        assert body["theme_color"] == "#0b5cad" and body["background_color"] == "#ffffff"


def test_manifest_names_the_city(client, settings) -> None:
    settings.MISTO_CITY_NAME = "Запоріжжя"
    body = manifest(client)
    assert body["short_name"] == "Запоріжжя"
    assert body["name"].startswith("Запоріжжя")


def test_manifest_icons_are_real_pngs_of_the_declared_sizes(client) -> None:
    body = manifest(client)
    declared = {(icon["sizes"], icon["purpose"]) for icon in body["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
            ("512x512", "maskable")} <= declared
    for icon in body["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_committed_icons_are_drawn_from_the_icon_geometry(tmp_path) -> None:
    """A change to misto/core/icons.py must come with regenerated files."""
    icons.write_all(tmp_path)
    for svg in ("icon.svg", "icon-maskable.svg"):
        assert (tmp_path / svg).read_text() == (icons.ICON_DIR / svg).read_text()
    for purpose in icons.LAYOUTS:
        for size in icons.SIZES:
            name = icons.icon_name(purpose, size)
            with Image.open(icons.ICON_DIR / name) as committed, \
                    Image.open(io.BytesIO((tmp_path / name).read_bytes())) as fresh:
                assert committed.size == fresh.size == (size, size)
                assert committed.getpixel((size // 2, size // 4)) == \
                    fresh.getpixel((size // 2, size // 4))


def test_every_page_links_the_manifest(client) -> None:
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-worker="/sw.js"' in html


def test_service_worker_is_served_from_the_root_uncached(client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    script = response.content.decode()
    config = json.loads(script.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert "/map/shelters/" in config["pages"]
    assert "/notices/" in config["pages"]
    assert "/cabinet/" in config["personal"]
    assert "/offline/" in config["shell"]
    assert "/static/misto/site.css" in config["shell"]
    assert "addEventListener(\"push\"" in script
    assert "addEventListener(\"notificationclick\"" in script


def test_old_push_worker_address_serves_the_same_worker(client) -> None:
    root = client.get("/sw.js")
    old = client.get("/notices/sw.js")
    assert old.status_code == 200
    assert old.content == root.content
    assert old["Service-Worker-Allowed"] == "/"


def test_service_worker_refuses_post(client) -> None:
    assert client.post("/sw.js").status_code == 405


def test_offline_page_lists_what_works_offline(client) -> None:
    html = client.get("/offline/").content.decode()
    assert 'href="/map/shelters/"' in html
    assert 'href="/notices/"' in html


def test_bottom_bar_holds_the_residents_main_actions(client) -> None:
    html = client.get("/").content.decode()
    bar = html.split('class="action-bar"', 1)[1].split("</nav>", 1)[0]
    for url in ("/reports/new/", "/map/", "/notices/", "/cabinet/"):
        assert f'href="{url}"' in bar
    assert "Повідомити" in bar


def test_the_app_is_offered_to_residents_not_to_staff_at_work(django_user_model) -> None:
    resident, staff = Client(), Client()
    resident.force_login(django_user_model.objects.create_user("pwa-resident"))
    staff.force_login(make_staff("pwa-clerk", "clerk"))
    assert 'class="pwa-offer"' in Client().get("/").content.decode()
    assert 'class="pwa-offer"' in resident.get("/").content.decode()
    assert 'class="pwa-offer"' not in staff.get("/").content.decode()


def test_favicon_is_the_app_icon_as_a_real_ico(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert "max-age" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as icon:
        assert icon.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
        # The brand's blue, as in the PWA icons (not a blank or a placeholder).
        pixel = icon.convert("RGB").getpixel((icon.width // 2, 2))
        assert pixel == (0x0B, 0x5C, 0xAD)
