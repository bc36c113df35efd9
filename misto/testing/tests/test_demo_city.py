"""The demo city as the README promises it and as people read it (issue 15, items 8 and 9).

The README's tour is the first thing a newcomer follows, so every path it names must answer
on the demo city (for the person the tour says opens it), every menu name it quotes must be
the menu's, and every landmark number it cites must be what the map says it is. The demo is
loaded once for the module, inside a transaction rolled back at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from misto.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DEMO_PASSWORD = "misto-demo"

# Paths the tour names that are not for everyone: who the README says opens them.
OPENED_BY = {
    "/notices/inbox/": "resident",
    "/admin/": "demo-it_admin",
    "/metrics": "demo-auditor",
    "/situation/dashboard/?screen=1": "demo-dispatcher",
    "/fleet/": "demo-dispatcher",
    "/parking/book/": "resident",
    "/parking/bookings/": "resident",
    "/parking/permits/": "resident",
    "/parking/inspect/": "demo-operator",
}
# What a landmark's kind is called in the README's English.
KIND_WORDS = {"pole": "pole", "manhole": "manhole", "tree": "tree", "hydrant": "hydrant"}
# Menu names the tour says a staff account sees (bold in the README), by account.
STAFF_SEES = {
    "demo-dispatcher": ("Ситуаційний центр", "Панель показників", "Диспетчеризація автопарку"),
    "demo-light": ("Черга звернень",),
    "demo-operator": ("Прийом дзвінків",),
    "demo-it_admin": ("Доставка подій",),
    "demo-auditor": ("Доставка подій",),
}



def client_for(who: str | None) -> Client:
    client = Client()
    if who == "resident":
        client.force_login(get_user_model().objects.get_or_create(username="tour-resident")[0])
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


# --- Every page, in both languages: no untranslated text, no raw codes (item 8) ------------

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
KATOTTG = re.compile(r"\bUA\d{17}\b")
# Four English words in a row on a Ukrainian page: a text that missed the catalogue.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){3,}\b")
# Pages that are not pages (machines', streams, downloads, forms' POST targets...).
NOT_PAGES = re.compile(r"stream|export|feed|geojson|webhook|replay|logout|manifest|"
                       r"service-worker|service_worker|favicon|healthz|readyz|metrics|"
                       r"set_language|labels|passkey|oidc|photo")


def english_words(run: str) -> bool:
    """A run of four words or more that reads as English (not a row of format names and
    acronyms such as "CSV JSON Open SDG")."""
    return sum(not word.isupper() for word in re.findall(r"[A-Za-z]{2,}", run)) >= 3


def text_nodes(html: str) -> set[str]:
    """Each piece of text standing alone between tags (a name in a cell, an option)."""
    import html as entities

    html = re.sub(r"(?is)<(script|style|svg|template)\b.*?</\1>", " ", html)
    return {entities.unescape(node).strip() for node in re.findall(r">([^<]+)<", html)}


def visible_text(html: str) -> str:
    """What a person reads: text and the attributes read aloud or shown (labels on cards).
    Code and preformatted blocks are technical on purpose (a file name, a JSON field)."""
    import html as entities

    html = re.sub(r"(?is)<(script|style|svg|code|pre|template)\b.*?</\1>", " ", html)
    shown = re.findall(r'\b(?:aria-label|title|placeholder|alt|data-label)="([^"]*)"', html)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    return entities.unescape(" ".join([text, *shown]))


def page_paths() -> list[str]:
    """Every parameterless page of every installed module, and one of each detail page."""
    from django.urls import URLResolver, get_resolver, reverse

    from misto.iot.models import Device
    from misto.notifications.models import Announcement
    from misto.reports.models import Report
    from misto.situation.models import Incident

    def names(resolver: Any, namespace: str = "") -> Iterator[str]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("admin", "api", "ngsi", "open311"):
                    continue  # machines' interfaces and Django's admin
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from names(pattern, inner)
            elif pattern.name and not pattern.pattern.converters:
                yield namespace + pattern.name

    paths = {reverse(name) for name in names(get_resolver()) if not NOT_PAGES.search(name)}
    paths |= {f"/reports/{Report.objects.earliest('pk').public_id}/",
              f"/iot/devices/{Device.objects.earliest('pk').uid}/",
              f"/notices/{Announcement.objects.earliest('pk').pk}/",
              f"/situation/incidents/{Incident.objects.earliest('pk').pk}/",
              "/ledger/entries/0", "/map/?n=12-0101"}
    return sorted(paths | detail_paths())


def detail_paths() -> set[str]:
    """One detail page of each other module that has them (its first demo object)."""
    from django.urls import reverse

    from misto.appeals.models import Appeal
    from misto.budget.models import Project, Round
    from misto.directory.models import Unit
    from misto.index.models import Indicator
    from misto.opendata.models import Dataset
    from misto.petitions.models import Petition
    from misto.transit.models import Stop

    indicator = Indicator.objects.earliest("pk")
    return {
        reverse("petitions:detail", args=[Petition.objects.exclude(number=None)
                                          .earliest("pk").number]),
        reverse("appeals:detail", args=[Appeal.objects.earliest("pk").number]),
        reverse("budget:round", args=[Round.objects.earliest("pk").number]),
        reverse("budget:project", args=[Project.objects.earliest("pk").pk]),
        reverse("transit:stop", args=[Stop.objects.exclude(code="").earliest("pk").code]),
        reverse("transit:board", args=[Stop.objects.exclude(code="").earliest("pk").code]),
        reverse("directory:place", args=[Unit.objects.earliest("pk").slug]),
        reverse("index:indicator", args=[indicator.code]),
        reverse("index:theme", args=[indicator.theme]),
        reverse("opendata:detail", args=[Dataset.objects.earliest("pk").name]),
    }


def raw_codes() -> set[str]:
    """Codes stored or chosen that must reach a Ukrainian page as their names, never as
    themselves: departments', categories' and every choice value."""
    from django.apps import apps

    from misto.reports.models import Category, Department

    codes = set(Department.objects.values_list("code", flat=True))
    codes |= set(Category.objects.values_list("code", flat=True))
    for model in apps.get_models():
        if model.__module__.startswith("misto."):
            for field in model._meta.get_fields():
                for value, label in getattr(field, "choices", None) or ():
                    if isinstance(value, str) and str(label).lower() != value:
                        codes.add(value)
    return {code for code in codes if re.fullmatch(r"[a-z][a-z0-9_-]+", code)}


def ukrainian_names_with_english() -> set[str]:
    """Stored names that have an English version: in English mode the Ukrainian one is a
    leak (a category, its questions and answers, a department, a district)."""
    import misto.twin as twin
    from misto.directory.models import Organisation, Unit
    from misto.index.models import Indicator
    from misto.iot.models import Device, DeviceModel
    from misto.reports.models import Attribute, Category, Department
    from misto.transit.models import Stop

    names = {name for name, english in Department.objects.values_list("name", "name_en")
             if english}
    names |= {title for title, english in Category.objects.values_list("title", "title_en")
              if english}
    for attribute in Attribute.objects.all():
        if attribute.description_en:
            names.add(attribute.description)
        names |= {value["name"] for value in attribute.values if value.get("name_en")}
    names |= {district.name for district in twin.districts() if district.name_en}
    models: list[tuple[Any, str]] = [(Device, "name"), (DeviceModel, "name"), (Stop, "name"),
                                     (Organisation, "name_uk"), (Unit, "name_uk"),
                                     (Indicator, "name_uk")]
    for model, field in models:
        names |= {name for name, english in model.objects.values_list(field, "name_en")
                  if english}
    return {name for name in names if len(name) > 3}


@pytest.mark.django_db
def test_every_page_speaks_the_readers_language_without_raw_codes(demo) -> None:
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("walker", password=None))
    # A resident in the register: their wallet's pages (404 for anyone else).
    resident = Client()
    resident.force_login(get_user_model().objects.get(username="demo-resident-001"))
    codes, leaks = raw_codes(), ukrainian_names_with_english()
    problems: list[str] = []
    walked = 0
    for client in (Client(), admin, resident):
        for language in ("uk", "en"):
            client.cookies["django_language"] = language
            for path in page_paths():
                response = client.get(path)
                if "text/html" not in response.get("Content-Type", ""):
                    continue
                walked += 1
                html = response.content.decode()
                text = visible_text(html)
                found = set(SNAKE_CASE.findall(text)) | set(KATOTTG.findall(text))
                if language == "uk":
                    words = set(re.findall(r"(?<![\w-])[a-z][a-z0-9_-]+(?![\w-])", text))
                    found |= codes & words
                    found |= {run for run in ENGLISH_RUN.findall(text) if english_words(run)}
                else:
                    found |= leaks & text_nodes(html)
                if found:
                    problems.append(f"{language} {path}: {sorted(found)[:6]}")
    assert walked > 60
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_buildings_use_is_named_on_the_map_card(demo) -> None:
    """The card said "Призначення residential": the map's config names every demo value."""
    import json

    from misto.twin.models import Feature

    uses = set(Feature.objects.filter(layer__code="buildings")
               .values_list("properties__use", flat=True)) - {None}
    assert uses
    for language in ("uk", "en"):
        client = Client()
        client.cookies["django_language"] = language
        html = client.get("/map/").content.decode()
        found = re.search(r'<script id="twin-config" type="application/json">(.*?)</script>',
                          html, re.S)
        assert found
        names = json.loads(found.group(1))["values"]
        assert uses <= set(names)
        if language == "uk":
            assert names["residential"] == "житлова"
            assert not any(re.search("[a-z]", names[use]) for use in uses)


# Month names and the US forms of a date ("Dec. 5", "December 5, 2026", "6:17 a.m.").
US_DATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? "
                     r"\d{1,2}\b(?![:\d])|\b\d{1,2}:\d{2} ?[ap]\.m\.")


@pytest.mark.django_db
def test_dates_are_day_first_in_both_languages(demo) -> None:
    """A dataset's versions and a notice carry their dates in the page's format
    (misto/formats/en: "5 Dec 2026, 14:30"; Ukrainian: "05.12.2026 14:30"), never the
    month first ("12/05/2026", "Dec. 5")."""
    from django.utils import timezone

    from misto.notifications.models import Announcement
    from misto.opendata.models import Version

    version = Version.objects.earliest("pk")
    notice = Announcement.objects.exclude(published_at=None).earliest("pk")
    pages = {f"/opendata/{version.dataset.name}/": timezone.localtime(version.created_at),
             f"/notices/{notice.pk}/": timezone.localtime(notice.published_at)}
    for path, when in pages.items():
        for language, shown in (("uk", f"{when:%d.%m.%Y %H:%M}"),
                                ("en", f"{when.day} {when:%b %Y, %H:%M}")):
            client = Client()
            client.cookies["django_language"] = language
            text = visible_text(client.get(path).content.decode())
            assert shown in text, (language, path, shown)
            month_first = f"{when:%m/%d/%Y}"
            assert month_first not in text and not US_DATE.search(text), (language, path)
