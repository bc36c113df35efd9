"""Issue 14's "done when": on the demo site, a newcomer signs in as a demo verified resident,
reports by a landmark number, follows the report, and reads the clerk's update in the inbox.

Everything runs as ``make run`` runs it: the DEMO OpenID provider and ``misto serve`` (whose
event worker delivers the status change to the inbox) as real processes, Chromium at phone
size in Ukrainian for the resident, a desk-sized window for the department's clerk.
"""

from __future__ import annotations

import io
import re

import pytest

import misto.twin as twin
from misto.conftest import wait_for
from misto.core.tests.browser import axe_violations, screenshot
from misto.notifications.models import Message
from misto.reports import demo as reports_demo
from misto.reports.models import Report, Status
from misto.residents import demo as residents_demo
from misto.residents import demo_idp
from misto.testing import world
from misto.testing.e2e import sign_in_as_demo_resident, sign_in_with_password, start_demo_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "uk-UA"}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "uk-UA"}


def test_newcomer_reports_follows_and_reads_the_clerks_update(spawn_misto, browser) -> None:
    # The part of the demo city this walk needs, through the modules' own loaders.
    world.build_city()
    reports_demo.load_tree()
    reports_demo.load_clerks()
    residents_demo.load(io.StringIO())
    landmark = twin.nearest(*world.ON_SHEVCHENKA, 1, layer="landmarks")[0].number or ""
    site = start_demo_site(spawn_misto)

    # A newcomer on a phone: the home page's menu, "Увійти", then the DEMO provider.
    phone = browser.new_context(**PHONE)
    resident = phone.new_page()
    resident.goto(site.url + "/")
    resident.get_by_role("button", name="Меню").click()
    resident.get_by_role("link", name="Увійти", exact=True).click()
    resident.wait_for_url("**/cabinet/signin/**")
    account = demo_idp.accounts()[0]
    sign_in_as_demo_resident(resident, site, account["label"])
    assert resident.locator("h1").inner_text() == "Мій кабінет"
    screenshot(resident, "newcomer-cabinet")

    # Reports by the number on the plate, from the phone's bottom bar.
    resident.get_by_role("navigation", name="Основні дії").get_by_role(
        "link", name="Повідомити").click()
    resident.wait_for_url("**/reports/new/")
    resident.select_option("#id_category", "streetlight-out")
    resident.wait_for_selector("#id_attr_how_many")  # the category's question (htmx)
    resident.fill("#id_attr_how_many", "1")
    resident.fill("#id_description", "Не світить ліхтар біля гідранта")
    resident.fill("#id_landmark", landmark)
    resident.locator("#id_landmark").dispatch_event("change")
    resident.wait_for_selector("#nearby p")  # the place, as the twin resolved it
    assert "Західний" in resident.locator("#nearby").inner_text()
    screenshot(resident, "newcomer-report")
    resident.get_by_role("button", name="Надіслати").click()
    resident.wait_for_url("**/reports/20*/")
    report = Report.objects.get()
    assert report.landmark == landmark and report.author is not None
    assert report.author.username != ""  # the demo resident's own account

    # Follows it; the page then offers to stop following.
    resident.get_by_role("button", name="Стежити за зверненням").click()
    resident.wait_for_load_state()
    assert resident.get_by_role("button", name="Не стежити").is_visible()
    assert report.followers.filter(user=report.author).exists()
    screenshot(resident, "newcomer-following")

    # The lighting department's clerk changes the status with a note, from the queue.
    desk = browser.new_context(**DESK)
    clerk = desk.new_page()
    sign_in_with_password(clerk, site.url, "demo-light", reports_demo.DEMO_PASSWORD,
                          "/reports/queue/")
    clerk.get_by_role("link", name=report.public_id).click()
    clerk.wait_for_url(f"**/reports/{report.public_id}/")
    clerk.select_option("#id_status", "in_progress")
    clerk.fill("#id_note", "Бригада виїхала, замінимо лампу сьогодні")
    clerk.get_by_role("button", name="Змінити стан").click()
    clerk.wait_for_load_state()
    assert "Бригада виїхала" in clerk.locator("#status-note").inner_text()
    screenshot(clerk, "newcomer-clerk")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    desk.close()

    # The serve's event worker puts the update into the resident's inbox.
    assert wait_for(lambda: Message.objects.filter(user=report.author).exists(),
                    timeout=20)
    resident.goto(site.url + "/notices/inbox/")
    inbox = resident.locator("#inbox")
    assert report.public_id in inbox.inner_text()
    link = inbox.locator(f"a[href$='/reports/{report.public_id}/']")
    assert link.count() >= 1
    assert axe_violations(resident) == []
    screenshot(resident, "newcomer-inbox")
    link.first.click()
    resident.wait_for_url(re.compile(f"/reports/{report.public_id}/$"))
    assert "Бригада виїхала" in resident.locator("#status-note").inner_text()
    phone.close()
