"""Staff at work by role, on a desk and on a phone (issue 15, item 6).

Each role's own pages come first in the header and the rest waits under "More"; what a role
may not do is nowhere in its menu; on a phone the header stays one line and the report queue
is a pile of cards whose state, deadline and executor are on screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from misto.core.tests.browser import axe_violations, screenshot
from misto.reports import services
from misto.testing import make_staff
from misto.testing.e2e import sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-strong-pass-42"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def signed_in(browser: Any, base: str, username: str, path: str, viewport: dict[str, int],
              language: str) -> Any:
    context = browser.new_context(viewport=viewport, locale="uk-UA")
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    sign_in_with_password(page, base, username, PASSWORD, path)
    return page


def nav_texts(page: Any, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_text_contents()]


def header_height(page: Any) -> float:
    return float(page.evaluate(
        "() => document.querySelector('.site-header').getBoundingClientRect().height"))


def test_each_role_sees_its_own_work_first_and_nothing_it_may_not_do(live_server, browser,
                                                                      city) -> None:
    make_staff("svitlo", "clerk", department="light", password=PASSWORD)
    make_staff("auditorka", "auditor", password=PASSWORD)
    make_staff("it", "it_admin", password=PASSWORD)
    base = live_server.url

    clerk = signed_in(browser, base, "svitlo", "/reports/queue/", DESK, "uk")
    own = nav_texts(clerk, ".site-nav > ul > li:not(.nav-more) > a")
    assert own[0] == "Черга звернень" and "Створити оголошення" in own
    everything = nav_texts(clerk, ".site-nav a")
    assert "Пристрої" not in everything  # the device registry is not a clerk's
    assert "Мапа" not in own and "Мапа" in everything  # the rest waits under "More"
    assert not clerk.locator(".site-nav").get_by_role("link", name="Мапа", exact=True).is_visible()
    assert header_height(clerk) < 80  # one line on a desk
    clerk.locator(".nav-more summary").click()
    assert clerk.locator(".site-nav").get_by_role("link", name="Мапа", exact=True).is_visible()
    assert axe_violations(clerk) == []
    screenshot(clerk, "staff-menu-clerk-desk-uk")
    clerk.context.close()

    auditor = signed_in(browser, base, "auditorka", "/cabinet/staff/audit/", DESK, "en")
    own = nav_texts(auditor, ".site-nav > ul > li:not(.nav-more) > a")
    assert own[0] == "Access audit" and "Event deliveries" in own
    everything = nav_texts(auditor, ".site-nav a")
    assert "Compose announcement" not in everything  # auditors read, they do not speak
    assert "Report queue" not in everything and "Devices" in everything
    assert header_height(auditor) < 80
    screenshot(auditor, "staff-menu-auditor-desk-en")
    auditor.context.close()

    admin = signed_in(browser, base, "it", "/iot/staff/devices/", PHONE, "uk")
    assert header_height(admin) <= 64  # was 423 of 844 px before it collapsed
    admin.get_by_role("button", name="Меню").click()
    assert admin.get_by_role("link", name="Пристрої", exact=True).is_visible()
    assert not admin.locator(".site-nav").get_by_role("link", name="Мапа", exact=True).is_visible()
    admin.get_by_text("Ще", exact=True).click()
    assert admin.locator(".site-nav").get_by_role("link", name="Мапа", exact=True).is_visible()
    assert "Черга звернень" not in nav_texts(admin, ".site-nav a")
    assert axe_violations(admin) == []
    screenshot(admin, "staff-menu-it-admin-phone-uk")
    admin.context.close()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_queue_is_cards_on_a_phone_and_a_table_on_a_desk(live_server, browser, city,
                                                         language) -> None:
    make_staff("svitlo", "clerk", department="light", password=PASSWORD)
    report = services.submit(services.Submission(
        category="streetlight-out", description="Не світить ліхтар біля зупинки",
        landmark=city.landmarks[0], attributes={"how_many": "1"}))
    base = live_server.url
    labels = {"uk": ("Стан", "Строк", "Виконавець"), "en": ("Status", "Due", "Assignee")}

    phone = signed_in(browser, base, "svitlo", "/reports/queue/", PHONE, language)
    assert header_height(phone) <= 64
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    card = phone.locator("table.as-cards tbody tr").first
    assert report.public_id in card.inner_text()
    for label in labels[language]:
        cell = card.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert cell.is_visible()
    with translation.override(language):
        status = str(report.get_status_display())
    assert card.locator(f"td[data-label='{labels[language][0]}']").inner_text().strip() == status
    assert axe_violations(phone) == []
    screenshot(phone, f"reports-queue-phone-{language}")
    phone.context.close()

    desk = signed_in(browser, base, "svitlo", "/reports/queue/", DESK, language)
    header = desk.locator("table.as-cards thead")
    assert header.is_visible()  # a real table on a desk, columns and all
    assert desk.locator("table.as-cards tbody tr").first.evaluate(
        "row => getComputedStyle(row).display") == "table-row"
    screenshot(desk, f"reports-queue-desk-{language}")
    desk.context.close()
