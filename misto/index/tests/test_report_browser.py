"""Issue 21 in a real browser: a clerk of the responsible department enters last year's
planned and actual value of an indicator, generates the yearly monitoring report, and the
downloaded PDF lists the indicator as achieved. On a phone in Ukrainian and on a desktop in
English; axe runs on each page and nothing may be wider than the screen."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from pypdf import PdfReader

from misto.core.tests.browser import axe_violations, screenshot
from misto.index import services
from misto.index.models import Report
from misto.index.tests.conftest import last_year
from misto.testing import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WORDS = {
    "uk": {"planned": "Запланове значення", "save_target": "Зберегти ціль",
           "actual": "Фактичне значення", "source": "Документ-джерело",
           "save_value": "Зберегти значення", "generate": "Сформувати звіт за {year}",
           "achieved": "досягнуто"},
    "en": {"planned": "Planned value", "save_target": "Save the target",
           "actual": "Actual value", "source": "Source document",
           "save_value": "Save the value", "generate": "Generate the report for {year}",
           "achieved": "achieved"},
}


def _check(page: Any, shot: str) -> None:
    assert axe_violations(page) == [], shot
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), \
        shot
    screenshot(page, f"index-{shot}")


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_staff_enter_planned_and_actual_and_the_report_says_achieved(
        browser: Any, live_server: Any, language: str, device: str) -> None:
    services.load()
    clerk = make_staff("economy-clerk", "clerk", department="economy")
    client = Client()
    client.force_login(clerk)
    name = django_settings.SESSION_COOKIE_NAME
    context = browser.new_context(viewport=VIEWPORTS[device], accept_downloads=True,
                                  locale="uk-UA" if language == "uk" else "en-GB")
    context.add_cookies([
        {"name": name, "value": client.cookies[name].value, "url": live_server.url},
        {"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    words, year = WORDS[language], last_year()
    page.goto(f"{live_server.url}/index/staff/?year={year}")
    _check(page, f"staff-{device}-{language}")
    entry = page.locator("section.index-entry", has_text="ECO-01")
    entry.get_by_label(words["planned"], exact=True).fill("9,5" if language == "uk" else "9.5")
    entry.get_by_role("button", name=words["save_target"]).click()
    page.wait_for_load_state()
    entry = page.locator("section.index-entry", has_text="ECO-01")
    entry.get_by_label(words["actual"], exact=True).fill("9,1" if language == "uk" else "9.1")
    entry.get_by_label(words["source"], exact=True).fill("Звіт центру зайнятості")
    entry.get_by_role("button", name=words["save_value"]).click()
    page.wait_for_load_state()
    page.get_by_role("button", name=words["generate"].format(year=year)).click()
    page.wait_for_load_state()
    _check(page, f"report-{device}-{language}")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text(extraction_mode="layout")
                    for p in PdfReader(io.BytesIO(content)).pages)
    line = next(row for row in text.splitlines() if "ECO-01" in row)
    assert words["achieved"] in line and "не досягнуто" not in line \
        and "not achieved" not in line, line
    report = Report.objects.get()
    assert (report.year, report.planned, report.achieved) == (year, 1, 1)
    assert errors == []
    context.close()
