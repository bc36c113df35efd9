"""The leadership view: the index on the situational centre's dashboard, declared through
``MistoModule.dashboard_panels`` (the situation module renders it without importing the
index), for staff with ``index.leadership.view`` only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from misto.index import services
from misto.index.tests.conftest import last_year
from misto.testing import make_staff


@pytest.fixture
def missed(city: Any, catalogue: int, clerk: Any) -> int:
    """Unemployment (lower is better) falls from 10.4 to 8.9 % but misses the 8.5 planned."""
    year = last_year()
    services.enter(clerk, "ECO-01", str(year - 1), 10.4, "Звіт центру зайнятості")
    services.enter(clerk, "ECO-01", str(year), 8.9, "Звіт центру зайнятості")
    services.set_target(clerk, "ECO-01", year, 8.5, "Стратегія")
    return year


def test_the_leaders_compare_the_years_and_see_what_is_off_target(missed: int) -> None:
    view = services.leadership(missed + 1)  # this year has no score yet: last year's shows
    assert view.year == missed
    economy = next(theme for theme in view.themes if theme.theme == "economy")
    assert economy.score is not None and economy.previous is not None
    assert economy.change is not None and economy.change > 0  # unemployment fell
    assert view.now.overall is not None and view.before.overall is not None
    assert view.change == pytest.approx(view.now.overall - view.before.overall)
    assert [(year, line.indicator.code) for year, line in view.off_target] == [
        (missed, "ECO-01")]
    assert view.off_target_total == 1


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_dashboard_shows_the_index_to_whom_may_see_it(client: Client, missed: int,
                                                           language: str) -> None:
    client.cookies["django_language"] = language
    auditor = make_staff("auditor-1", "auditor")
    client.force_login(auditor)
    page = client.get("/situation/dashboard/").content.decode()
    assert 'id="index-leadership"' in page and 'data-indicator="ECO-01"' in page
    assert ("Рівень безробіття" if language == "uk" else "Unemployment rate") in page
    assert 'data-theme="economy"' in page
    leaders = client.get("/situation/leadership/").content.decode()
    assert 'id="index-leadership"' in leaders
    screen = client.get("/situation/dashboard/?screen=1").content.decode()
    assert 'id="index-leadership"' not in screen  # the wall screen keeps its fixed layout
    # A dispatcher sees the dashboard but has no business with the index there.
    client.force_login(make_staff("dispatcher-1", "dispatcher"))
    answer = client.get("/situation/dashboard/")
    assert answer.status_code == 200 and b"index-leadership" not in answer.content
