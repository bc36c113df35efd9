"""The demo city as the README promises it and as people read it (issue 15, items 8 and 9).

The README's tour is the first thing a newcomer follows, so every path it names must answer
on the demo city (for the person the tour says opens it), every menu name it quotes must be
the menu's, and every landmark number it cites must be what the map says it is. The demo is
loaded once for the module, inside a transaction rolled back at the end.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from misto.conftest import ROOT
from misto.core import outbox

README = (ROOT / "README.md").read_text(encoding="utf-8")
DEMO_PASSWORD = "misto-demo"

# Paths the tour names that are not for everyone: who the README says opens them.
OPENED_BY = {
    "/notices/inbox/": "resident",
    "/admin/": "demo-it_admin",
    "/metrics": "demo-auditor",
    "/situation/dashboard/?screen=1": "demo-dispatcher",
}
# What a landmark's kind is called in the README's English.
KIND_WORDS = {"pole": "pole", "manhole": "manhole", "tree": "tree", "hydrant": "hydrant"}
# Menu names the tour says a staff account sees (bold in the README), by account.
STAFF_SEES = {
    "demo-dispatcher": ("Ситуаційний центр", "Панель показників"),
    "demo-light": ("Черга звернень",),
    "demo-operator": ("Прийом дзвінків",),
    "demo-it_admin": ("Доставка подій",),
    "demo-auditor": ("Доставка подій",),
}


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """``misto demo`` with its events delivered (as ``make run``'s worker would)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        while outbox.deliver_due(limit=5000):
            pass
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city: None, db: None) -> None:
    """The demo city, for one test (its changes rolled back after it)."""


def client_for(who: str | None) -> Client:
    client = Client()
    if who == "resident":
        client.force_login(get_user_model().objects.create_user("tour-resident"))
    elif who:
        assert client.login(username=who, password=DEMO_PASSWORD), who
    return client


def readme_paths() -> list[str]:
    """Every site path the README names: `/...` in backquotes and links to the demo."""
    quoted = re.findall(r"`(/[^`\s]*)`", README)
    linked = [path or "/" for path in
              re.findall(r"<http://127\.0\.0\.1:8000(/[^>\s]*)?>", README)]
    return sorted(set(quoted + linked))


def test_the_readme_names_paths_at_all() -> None:
    paths = readme_paths()
    assert "/reports/new/" in paths and "/map/" in paths and len(paths) > 12
    assert "/reports/submit/" not in README  # the form's address is /reports/new/


@pytest.mark.django_db
def test_every_path_the_readme_names_answers_on_the_demo_city(demo) -> None:
    failures = []
    for path in readme_paths():
        response = client_for(OPENED_BY.get(path)).get(path)
        if response.status_code != 200:
            failures.append(f"{path}: {response.status_code} for {OPENED_BY.get(path, 'anyone')}")
    assert failures == []


@pytest.mark.django_db
def test_every_landmark_number_in_the_readme_is_what_the_map_says(demo) -> None:
    import misto.twin as twin

    cited = list(re.finditer(r"\b(\d{2}-\d{4})\b", README))
    assert cited
    for match in cited:
        feature = twin.landmark(match.group(1))
        assert feature is not None, f"{match.group(1)} is no landmark of the demo city"
        kind = feature.properties["kind"]
        # The README calls it by its kind within the sentence (and by no other kind).
        around = README[max(0, match.start() - 150):match.end() + 120]
        assert KIND_WORDS[kind] in around, (match.group(1), kind)
        others = [word for other, word in KIND_WORDS.items() if other != kind]
        assert not any(re.search(rf"\b{word}\b", around) for word in others), around
        # The map's card says the same (the twin's public landmark lookup).
        response = Client().get(f"/api/twin/landmarks/{match.group(1)}")
        assert response.status_code == 200 and response.json()["properties"]["kind"] == kind


@pytest.mark.django_db
def test_menu_names_in_the_tour_are_the_menus(demo) -> None:
    resident = client_for("resident")
    # Where a newcomer meets the names: the home page, signed out and in, and the cabinet.
    pages = [Client().get("/"), resident.get("/"), resident.get("/cabinet/")]
    assert all(page.status_code == 200 for page in pages)
    html = "".join(page.content.decode() for page in pages)
    for label, path in re.findall(r"\*\*([^*]+)\*\* \(`(/[^`]*)`\)", README):
        # A link named so, or (a cabinet panel) a heading so named with its "Open" link.
        assert f">{label}<" in html and f'href="{path}"' in html, f"no “{label}” ({path})"
    for account, labels in STAFF_SEES.items():
        for label in labels:
            assert f"**{label}**" in README
        page = client_for(account).get("/").content.decode()
        nav = page[page.index('class="site-nav"'):page.index("</nav>")]
        for label in labels:
            assert f">{label}</a>" in nav, (account, label)
