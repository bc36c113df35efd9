"""Issue 21's leadership view in a real browser: an auditor opens the situational centre's
dashboard, reads the City Progress Index there (the score, the change since last year, the
themes, the indicator off its target) and follows that indicator to its page. On a phone in
Ukrainian and on a desktop in English; axe runs on each page and nothing may be wider than
the screen (screenshots in var/screenshots/)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from misto.index import services
from misto.index.tests.conftest import last_year
from misto.testing import make_staff, world
from misto.testing.visit import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {"uk": {"title": "Індекс розвитку міста", "name": "Рівень безробіття"},
         "en": {"title": "City Progress Index", "name": "Unemployment rate"}}


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_the_leaders_read_the_index_on_the_dashboard(browser: Any, live_server: Any,
                                                      language: str, device: str) -> None:
    world.build_city()
    services.load()
    clerk = make_staff("economy-clerk", "clerk", department="economy")
    year = last_year()
    services.enter(clerk, "ECO-01", str(year - 1), 10.4, "Звіт центру зайнятості")
    services.enter(clerk, "ECO-01", str(year), 8.9, "Звіт центру зайнятості")
    services.set_target(clerk, "ECO-01", year, 8.5, "Стратегія")
    visit = Visit(browser, live_server, make_staff("auditor-1", "auditor"), language, device,
                  prefix="index-leadership")
    page = visit.goto("/situation/dashboard/")
    panel = page.locator("#index-leadership")
    panel.scroll_into_view_if_needed()
    assert panel.get_by_role("heading", name=WORDS[language]["title"]).is_visible()
    overall = panel.locator("[data-figure=index-overall]").inner_text()
    assert re.fullmatch(r"\d+[.,]\d / 100", overall.strip()), overall
    assert "▲" in panel.locator("[data-figure=index-change]").inner_text()
    economy = panel.locator("tr[data-theme=economy]")
    assert economy.is_visible() and "▲" in economy.inner_text()
    missed = panel.locator("li[data-indicator=ECO-01]")
    assert missed.is_visible()
    assert f"{year}:" in missed.inner_text()
    assert ("8,9" if language == "uk" else "8.9") in missed.inner_text()
    visit.check("dashboard")
    missed.get_by_role("link", name=WORDS[language]["name"]).click()
    page.wait_for_url(re.compile(r"/index/indicators/ECO-01/$"))
    visit.check("indicator")
    visit.close()
