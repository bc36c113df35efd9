"""The issue's "done when": a resident reports by landmark number in the browser, the right
department's clerk resolves it from the queue, and the resident is notified."""

from __future__ import annotations

import pytest
from PIL import Image

from misto.core.models import OutboxEvent
from misto.core.outbox import deliver_due
from misto.core.registry import is_enabled
from misto.core.tests.browser import axe_violations, screenshot
from misto.reports.models import Report, Status
from misto.testing.e2e import sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str, next_path: str) -> None:
    sign_in_with_password(page, base, username, "a-strong-pass-42", next_path)


def test_landmark_report_resolved_and_resident_notified(live_server, browser, city, tmp_path,
                                                        django_user_model):
    resident = django_user_model.objects.create_user("olena", password="a-strong-pass-42")
    from misto.testing import make_staff

    make_staff("svitlo", "clerk", department="light", password="a-strong-pass-42")
    make_staff("dorogy", "clerk", department="roads", password="a-strong-pass-42")
    base = live_server.url

    # The resident, on a phone, reports by the number on the pole.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    resident_page = phone.new_page()
    sign_in(resident_page, base, "olena", "/reports/new/")
    resident_page.select_option("#id_category", "streetlight-out")
    resident_page.wait_for_selector("#id_attr_how_many")  # the category's question (htmx)
    resident_page.fill("#id_attr_how_many", "2")
    resident_page.fill("#id_description", "Не світить ліхтар біля зупинки")
    resident_page.fill("#id_landmark", city.landmarks[0])
    resident_page.locator("#id_landmark").dispatch_event("change")
    resident_page.wait_for_selector("#nearby p")  # the place, as the twin resolved it
    assert "Західний" in resident_page.locator("#nearby").inner_text()
    assert axe_violations(resident_page) == []
    screenshot(resident_page, "reports-submit")
    resident_page.get_by_role("button", name="Send the report").or_(
        resident_page.get_by_role("button", name="Надіслати")).first.click()
    resident_page.wait_for_url("**/reports/20*/")
    report = Report.objects.get()
    assert report.author_id == resident.pk and report.landmark == city.landmarks[0]
    assert report.public_id in resident_page.locator("h1").inner_text()
    screenshot(resident_page, "reports-detail")

    # Another department's clerk does not see it; the lighting clerk does, and resolves it.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    other = desk.new_page()
    sign_in(other, base, "dorogy", "/reports/queue/")
    assert report.public_id not in other.locator("main").inner_text()
    desk.close()
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    clerk_page = desk.new_page()
    sign_in(clerk_page, base, "svitlo", "/reports/queue/")
    assert axe_violations(clerk_page) == []
    clerk_page.get_by_role("link", name=report.public_id).click()
    clerk_page.wait_for_url(f"**/reports/{report.public_id}/")
    clerk_page.select_option("#id_status", "resolved")
    clerk_page.fill("#id_note", "Замінено лампу")
    photo = tmp_path / "fix.jpg"
    Image.new("RGB", (64, 48), (250, 220, 0)).save(photo, "JPEG")
    clerk_page.set_input_files("#id_photo", str(photo))
    clerk_page.locator("form:has(#id_status) button[type=submit]").click()
    clerk_page.wait_for_load_state()
    assert "Замінено лампу" in clerk_page.locator("#status-note").inner_text()
    screenshot(clerk_page, "reports-resolved")
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.photos.filter(kind="resolution").count() == 1
    desk.close()

    # The event reaches its consumers (as the background worker would deliver it).
    event = OutboxEvent.objects.get(name="reports.ReportStatusChanged")
    assert event.payload["author_user_id"] == resident.pk
    assert event.payload["status"] == "resolved"
    deliver_due()
    if is_enabled("notifications"):
        resident_page.goto(f"{base}/notices/inbox/")
        assert report.public_id in resident_page.locator("main").inner_text()
        screenshot(resident_page, "reports-inbox")
    phone.close()


def test_phone_intake_by_keyboard_only(live_server, browser, city, django_user_model):
    operator = django_user_model.objects.create_user("operator", password="a-strong-pass-42")
    from misto.core.models import StaffAssignment

    StaffAssignment.objects.create(user=operator, role="operator")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    page = context.new_page()
    sign_in(page, live_server.url, "operator", "/reports/phone/")
    assert page.evaluate("document.activeElement.id") == "id_category"
    assert axe_violations(page) == []
    page.keyboard.type("впале дерево")  # the category by its title (or its code)
    page.keyboard.press("Tab")
    page.wait_for_selector("#id_attr_blocking")
    page.keyboard.type(city.landmarks[2])
    page.keyboard.press("Tab")  # address: not needed
    page.keyboard.press("Tab")
    page.keyboard.type("Марія")
    page.keyboard.press("Tab")
    page.keyboard.type("+380501112233")
    page.keyboard.press("Tab")  # the category's question: "Так" is the first answer
    assert page.evaluate("document.activeElement.id") == "id_attr_blocking"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Дерево впало на тротуар")
    page.keyboard.press("Control+Enter")
    page.wait_for_load_state()
    page.wait_for_selector(".message-success")
    report = Report.objects.get()
    assert report.channel == "phone" and report.category.code == "tree-fallen"
    assert report.attributes == {"blocking": "yes"} and report.contact.name == "Марія"
    assert report.public_id in page.locator(".messages").inner_text()
    assert page.evaluate("document.activeElement.id") == "id_category"  # ready for the next
    screenshot(page, "reports-intake")
    context.close()


def test_public_map_shows_reports(live_server, page, city):
    from misto.reports import services

    report = services.submit(services.Submission(
        category="pothole", description="Яма", landmark=city.landmarks[2],
        attributes={"size": "large"}))
    with page.expect_response(lambda r: "/api/reports/reports" in r.url) as answer:
        page.goto(f"{live_server.url}/reports/?status=open")
    features = answer.value.json()["features"]
    assert [f["id"] for f in features] == [report.public_id]
    assert report.public_id in page.locator(".report-list").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "reports-map")
