"""Issue 20's parking flows in a real browser, at (uk, phone) and (en, desktop): a resident
opens the parking map, sees the lots' free places, starts a session, stops it and sees the
receipt; books a place seeing the price first, then cancels it with the money back; and an
inspector's phone checks a plate where it stands (uk, phone). Each page passes axe, fits
the screen and raises no script error."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from misto.iot.storage import store_readings
from misto.parking.models import Lot, Session, SessionStatus
from misto.testing.visit import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {"uk": {"free": "3 з 4", "plate": "Номерний знак", "lot": "Майданчик",
                "start": "Почати паркування", "stop": "Зупинити паркування",
                "receipt": "Квитанція за паркування"},
         "en": {"free": "3 of 4", "plate": "Plate", "lot": "Lot", "start": "Start parking",
                "stop": "Stop parking", "receipt": "Parking receipt"}}


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_see_free_places_start_stop_and_get_a_receipt(live_server: Any, browser: Any,
                                                     city: Lot, sensors: dict[str, Any],
                                                     driver: Any, language: str,
                                                     device: str) -> None:
    words = WORDS[language]
    now = timezone.now()
    store_readings([(sensors["park-t1"].pk, "occupancy", now, 1.0),
                    (sensors["park-t2"].pk, "occupancy", now, 0.0)])
    visit = Visit(browser, live_server, driver, language, device, prefix="parking")
    page = visit.goto("/parking/")
    page.wait_for_function("() => window.parkingMap && window.parkingMap.loaded()",
                           timeout=20_000)
    assert page.locator("#parking-map canvas").is_visible()
    assert words["free"] in page.locator("tr[data-lot='t-1'] .free").inner_text()
    visit.check("map")
    page.get_by_label(words["plate"], exact=True).fill("аа 1234 вв")
    page.get_by_label(words["lot"], exact=True).select_option("t-1")
    page.get_by_role("button", name=words["start"], exact=True).click()
    page.get_by_role("button", name=words["stop"]).wait_for()
    assert "AA 1234 BB" in page.get_by_test_id("session").inner_text()
    visit.check("session")
    page.get_by_role("button", name=words["stop"]).click()
    page.get_by_role("heading", name=words["receipt"]).wait_for()
    amount = page.get_by_test_id("amount").inner_text()
    session = Session.objects.get()
    assert session.status == SessionStatus.PAID and session.minutes >= 1
    assert f"{session.amount // 100},{session.amount % 100:02d}" in amount.replace(".", ",")
    visit.check("receipt")
    visit.close()


BOOKING = {"uk": {"book": "Забронювати місце", "lot": "Майданчик", "plate": "Номерний знак",
                  "day": "День", "from": "З", "length": "На скільки (години:хвилини)",
                  "price": "Показати ціну", "pay": "Забронювати й сплатити 18,00 ₴",
                  "mine": "Мої бронювання", "cancel": "Скасувати бронювання",
                  "cancelled": "скасовано, гроші повернено"},
           "en": {"book": "Book a place", "lot": "Lot", "plate": "Plate", "day": "Day",
                  "from": "From", "length": "For how long (hours:minutes)",
                  "price": "Show the price", "pay": "Book and pay 18.00 ₴",
                  "mine": "My bookings", "cancel": "Cancel the booking",
                  "cancelled": "cancelled, money returned"}}


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_book_a_place_seeing_the_price_first_then_cancel(live_server: Any, browser: Any,
                                                         city: Lot, driver: Any,
                                                         language: str, device: str) -> None:
    from datetime import timedelta

    from misto.parking.models import Booking

    words = BOOKING[language]
    tomorrow = timezone.localdate() + timedelta(days=1)
    visit = Visit(browser, live_server, driver, language, device, prefix="parking")
    page = visit.goto("/parking/")
    page.get_by_role("link", name=words["book"], exact=True).click()
    page.wait_for_function("() => window.parkingMap && window.parkingMap.loaded()",
                           timeout=20_000)
    page.get_by_label(words["lot"], exact=True).select_option("t-1")
    page.get_by_label(words["plate"], exact=True).fill("аа 1234 вв")
    page.get_by_label(words["day"], exact=True).fill(tomorrow.isoformat())
    page.get_by_label(words["from"], exact=True).select_option("10:00")
    page.get_by_label(words["length"], exact=True).select_option("90")
    visit.check("book")
    page.get_by_role("button", name=words["price"]).click()
    pay = page.get_by_role("button", name=words["pay"])
    pay.wait_for()
    assert "AA 1234 BB" in page.get_by_test_id("quote").inner_text()
    assert not Booking.objects.exists()  # nothing is booked before the driver confirms
    visit.check("quote")
    pay.click()
    page.get_by_role("heading", name=words["mine"], level=1).wait_for()
    booking = Booking.objects.get()
    assert booking.amount == 1800 and booking.place.lot.code == "t-1"
    assert "t-1" in page.get_by_test_id("bookings").inner_text()
    visit.check("bookings")
    page.get_by_role("button", name=words["cancel"]).click()
    page.get_by_test_id("bookings").get_by_text(words["cancelled"]).wait_for()
    booking.refresh_from_db()
    assert booking.cancelled_at is not None and booking.refund_receipt
    visit.close()


def test_an_inspector_checks_a_plate_where_the_phone_stands(live_server: Any, browser: Any,
                                                            city: Lot, driver: Any) -> None:
    """(uk, phone): the page asks the phone where it is; the plate alone gives the answer."""
    from misto.parking import services
    from misto.testing import make_staff
    from misto.testing.world import ON_SHEVCHENKA

    services.do_start(services.check_start(driver, "AA1234BB", city))
    visit = Visit(browser, live_server, make_staff("street", "operator"), "uk", "phone",
                  prefix="parking")
    lon, lat = ON_SHEVCHENKA
    visit.context.grant_permissions(["geolocation"])
    visit.context.set_geolocation({"longitude": lon, "latitude": lat})
    page = visit.goto("/parking/inspect/")
    page.get_by_text("Ваше місце визначено.").wait_for()
    page.get_by_label("Номерний знак", exact=True).fill("аа 1234 вв")
    page.get_by_role("button", name="Перевірити").click()
    verdict = page.get_by_test_id("verdict")
    verdict.wait_for()
    text = verdict.inner_text()
    assert "Дозволено" in text and "AA 1234 BB" in text and "Триває оплачене паркування" in text
    visit.check("inspect")
    visit.close()
