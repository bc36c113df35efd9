"""Issue 15 item 7, the operator's phone intake as an operator meets it, on a phone and at a
desk, in Ukrainian and English: an empty form says what is missing; part of a category's
name offers the categories it may mean (typing, and after registering) instead of refusing;
the same "already reported nearby" warning as the resident's form; the success message
links to the new report."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.reports import services
from misto.reports.models import Report
from misto.testing import make_staff
from misto.testing.e2e import sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-strong-pass-42"
# What the operator types, the category it means, and the page's words, per language.
LANGUAGES = {
    "uk": {"typed": "яма", "title": "Яма на дорозі", "missing": [
        "Оберіть категорію.", "Опишіть проблему кількома словами.",
        "Укажіть, де проблема: номер орієнтира"]},
    "en": {"typed": "hole", "title": "Pothole", "missing": [
        "Choose a category.", "Describe the problem in a few words.",
        "Say where the problem is: the landmark number"]},
}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("language,viewport", [("uk", "phone"), ("en", "desk")])
def test_operator_intake_offers_categories_warns_and_links(live_server, browser, city,
                                                           language, viewport):
    words = LANGUAGES[language]
    make_staff("operator", "operator", password=PASSWORD)
    earlier = services.submit(services.Submission(
        category="pothole", description="Яма біля зупинки", landmark=city.landmarks[2],
        attributes={"size": "large"}))
    context = browser.new_context(viewport=VIEWPORTS[viewport],
                                  locale="uk-UA" if language == "uk" else "en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # (a form sent back with its problems is a 400, which Chromium logs as a failed load)
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "status of 400" not in m.text else None)
    sign_in_with_password(page, live_server.url, "operator", PASSWORD, "/reports/phone/")
    shot = f"reports-intake-{viewport}-{language}"

    # An empty form says what is missing, each beside its field and together above.
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    summary = page.locator("#error-summary").inner_text()
    for missing in words["missing"]:
        assert missing in summary
    assert "«»" not in summary and "“”" not in summary
    assert axe_violations(page) == []
    screenshot(page, f"{shot}-empty")

    # Part of a name offers the categories it may mean while typing...
    page.fill("#id_category", words["typed"])
    page.locator("#id_category").dispatch_event("input")
    offered = page.locator("#category-matches [data-category]")
    offered.first.wait_for()
    assert words["title"] in [offered.nth(i).inner_text() for i in range(offered.count())]
    assert axe_violations(page) == []
    screenshot(page, f"{shot}-offered")

    # ...and, registered as typed, the form comes back offering them instead of refusing.
    page.fill("#id_landmark", city.landmarks[2])
    page.fill("#id_description", "Глибока яма")
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert words["typed"] in page.locator("#error-summary").inner_text()
    assert "There is no category" not in page.content() and "немає" not in page.locator(
        "#error-summary").inner_text()
    assert not Report.objects.exclude(pk=earlier.pk).exists()
    page.get_by_role("button", name=words["title"], exact=True).click()
    assert page.input_value("#id_category") == words["title"]
    page.wait_for_selector("#id_attr_size")  # the chosen category's question

    # The same "already reported nearby" warning as the resident's form.
    page.locator("#id_landmark").dispatch_event("change")
    page.wait_for_selector("#nearby .already")
    assert earlier.public_id in page.locator("#nearby .already").inner_text()
    page.select_option("#id_attr_size", "medium")
    screenshot(page, f"{shot}-nearby")

    # Registered: the message links to the new report.
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_selector(".message-success a")
    report = Report.objects.exclude(pk=earlier.pk).get()
    assert report.category.code == "pothole" and report.channel == "phone"
    link = page.locator(".message-success a")
    assert link.inner_text() == report.public_id
    assert link.get_attribute("href") == f"/reports/{report.public_id}/"
    assert axe_violations(page) == []
    screenshot(page, f"{shot}-registered")
    link.click()
    page.wait_for_url(f"**/reports/{report.public_id}/")
    assert errors == []
    context.close()
