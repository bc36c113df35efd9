""""Is my building affected?" on /notices/: an address or landmark number gets a yes or no per
current outage; a district filter; each notice names the districts it reaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.notifications import services
from misto.notifications.errors import NotificationsCode
from misto.notifications.tests.conftest import DISTRICT_B, outage_draft
from misto.twin.models import Feature

pytestmark = pytest.mark.django_db


def heating_in_b(staff: Any) -> Any:
    """An outage of the whole east district (a district target, no drawn area)."""
    now = timezone.now()
    return services.compose(staff(), services.Draft(
        kind="outage", outage_type="heating", topics=["housing"], target="districts",
        districts=[DISTRICT_B], title_uk="Тепло: Східний район", title_en="Heating: east",
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=5)))


def hydrant_number() -> str:
    """The world's numbered landmark (a hydrant on Шевченка, far from the outage area)."""
    number = Feature.objects.filter(number__isnull=False).values_list("number", flat=True)[0]
    return str(number)


def test_yes_and_no_per_outage_for_an_address_a_landmark_and_a_building_in_b(
        city, staff) -> None:
    water = services.compose(staff(), outage_draft(city))
    heating = heating_in_b(staff)
    outages = [water, heating]

    inside = services.find_place("Садова 2")
    assert inside.building_id == city.buildings["Садова 2"]
    assert [v.affected for v in services.verdicts(inside, outages)] == [True, False]
    east = services.find_place("Садова 8")  # the street's house in the east district
    assert east.district == DISTRICT_B
    assert [v.affected for v in services.verdicts(east, outages)] == [False, True]
    # A landmark in the west district, outside the drawn area: the area's districts alone
    # do not make it affected.
    landmark = services.find_place(hydrant_number())
    assert [v.affected for v in services.verdicts(landmark, outages)] == [False, False]
    citywide = services.compose(staff(), services.Draft(
        kind="outage", outage_type="power", topics=["housing"], target="city",
        title_uk="Світло", starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=2)))
    assert services.verdicts(landmark, [citywide])[0].affected

    for typed in ("", "Марс 99", "Садова"):
        with pytest.raises(services.NotificationError) as error:
            services.find_place(typed)
        assert error.value.code == NotificationsCode.BAD_ADDRESS and error.value.message


def test_the_page_answers_filters_and_names_the_districts(city, staff) -> None:
    services.compose(staff(), outage_draft(city))
    heating_in_b(staff)
    client = Client()
    page = client.get("/notices/", {"place": "Садова 2"}, HTTP_ACCEPT_LANGUAGE="uk")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Так, зачеплено") == 1 and html.count("Ні, не зачеплено") == 1
    assert "Західний район" in html and "Де: Східний район" in html
    english = client.get("/notices/", {"place": "Садова 2"}, HTTP_ACCEPT_LANGUAGE="en")
    text = english.content.decode()
    assert "Yes, affected" in text and "No, not affected" in text and "Where:" in text

    only_b = client.get("/notices/", {"district": DISTRICT_B}).content.decode()
    assert "Тепло: Східний район" in only_b and "Відключення води" not in only_b

    unknown = client.get("/notices/", {"place": "Марс 99"})
    assert unknown.status_code == 200
    assert "Не знайдено адреси чи орієнтира" in unknown.content.decode()
    assert client.get("/notices/", {"district": "UA99"}).status_code == 200
    assert client.get("/notices/", {"place": "x" * 500}).status_code == 200
