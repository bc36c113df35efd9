"""The dispatcher sees the municipal vehicles on the map, opens the waybill waiting for
approval, approves it and downloads its PDF. (uk, phone) and (en, desktop)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from misto.fleet.services import tracking, waybills
from misto.fleet.tests.conftest import at, drive, parked
from misto.testing import make_staff
from misto.testing.maps import map_screenshot, wait_until_drawn
from misto.testing.visit import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVE = {"uk": "Погодити", "en": "Approve"}


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_the_dispatcher_approves_a_waybill_and_downloads_it(live_server: Any, browser: Any,
                                                            car: Any, device: str,
                                                            language: str) -> None:
    vehicle, _key = car
    tracking.apply({vehicle: parked(at(7), 35.12, 10, 40.0)
                    + drive(at(7.2), 35.12, 35.15, 12, fuel=(40.0, 39.0))})
    driver = make_staff("driver", "operator", first_name="Петро", last_name="Водій")
    waybill = waybills.do_fill(waybills.check_fill(driver, vehicle, at(0).date(), driver.pk))
    dispatcher = make_staff("dispatcher", "dispatcher")

    visit = Visit(browser, live_server, dispatcher, language, device, prefix="fleet")
    page = visit.goto("/fleet/")
    page.wait_for_function("window.fleetVehicles && window.fleetVehicles.length === 1")
    wait_until_drawn(page, "window.fleetMap")
    assert "AP0001KM" in page.locator("#fl-rows").inner_text()
    map_screenshot(page, f"fleet-dispatch-{device}-{language}")
    visit.check("dispatch")

    page.locator(".fl-waybills a").first.click()
    page.wait_for_url(f"**/fleet/waybills/{waybill.pk}/")
    assert "Петро Водій" in page.locator("main").inner_text()
    visit.check("waybill")
    page.get_by_role("button", name=APPROVE[language]).click()
    page.wait_for_selector("[data-status='approved']")
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    visit.check("approved")
    visit.close()
