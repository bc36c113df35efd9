"""Time-dependent indicators answer for the period asked, from the history the owning
modules keep, never with today's state: devices online (the readings and their hourly
aggregates) and the share of verified residents (the register's records). Each is computed
for last year after the state has changed this year."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from misto.core.registry import indicator_functions
from misto.index import services
from misto.index.models import Value
from misto.index.tests.conftest import in_year, last_year, make_reports
from misto.testing import world


def _function(name: str) -> Any:
    return indicator_functions()[name][1]


def _sensors(year: int) -> list[Any]:
    from misto.iot.models import Device, DeviceModel, Quantity

    Quantity.objects.get_or_create(code="pm25", defaults={"name_uk": "PM2.5",
                                                          "unit_label": "мкг/м³"})
    model = DeviceModel.objects.create(code="air", name="Повітря", quantities=["pm25"],
                                       entity_type="AirQualityObserved")
    return [Device.objects.create(uid=f"air-{n}", name=f"Повітря {n}", model=model,
                                  district=world.WEST_DISTRICT,
                                  installed_at=in_year(year - 1, 6, 1))
            for n in range(4)]


def test_devices_online_last_year_come_from_last_years_readings(city: Any,
                                                                 catalogue: int) -> None:
    from misto.iot.models import Aggregate, Device
    from misto.iot.storage import store_readings

    year = last_year()
    kept, summarised, this_year_only, silent = _sensors(year)
    now = timezone.now()
    store_readings([(kept.pk, "pm25", in_year(year, 5, 3), 12.0),
                    (kept.pk, "pm25", now - timedelta(minutes=5), 14.0),
                    (this_year_only.pk, "pm25", now - timedelta(minutes=5), 9.0)])
    # Raw readings expired; the hourly aggregate kept the fact that it reported.
    Aggregate.objects.create(device_id=summarised.pk, quantity="pm25", period="hour",
                             start=in_year(year, 8, 1, 10), count=60, total=600.0,
                             minimum=5.0, maximum=15.0)
    Device.objects.filter(pk=kept.pk).update(offline=True)  # today's state, not last year's
    start, end = services.parse(str(year)).bounds()
    measure = _function("iot.online_share").compute(start, end, None)
    assert (measure.value, measure.inputs) == (pytest.approx(50.0), 4)  # kept, summarised
    west = _function("iot.online_share").compute(start, end, world.WEST_DISTRICT)
    assert west.value == pytest.approx(50.0)
    # A device retired since still counts for the year it reported in.
    Device.objects.filter(pk=summarised.pk).update(active=False)
    Device.objects.filter(pk=silent.pk).update(active=False)
    measure = _function("iot.online_share").compute(start, end, None)
    assert (measure.value, measure.inputs) == (pytest.approx(200 / 3), 3)
    services.compute(str(year), codes={"ICT-03"}, by_district=False)
    stored = Value.objects.get(indicator__code="ICT-03", period=str(year), superseded_at=None)
    assert (stored.function, stored.function_version) == ("iot.online_share", 2)
    assert stored.value == pytest.approx(200 / 3)


def test_the_verified_share_of_a_past_year_is_the_share_verified_then(
        city: Any, catalogue: int) -> None:
    from misto.residents import services as residents
    from misto.residents.models import Person, PersonChange, Verification
    from misto.residents.tests.conftest import person_data

    year = last_year()
    before = in_year(year - 1, 2, 1)
    people = [residents.create_person(person_data(serial, born=date(1980, 1, serial)),
                                      by=None, basis="test", verification=level,
                                      check_address=False)
              for serial, level in ((1, Verification.SELF), (2, Verification.CLERK),
                                    (3, Verification.SELF))]
    # They were registered before last year began (their history says so).
    Person.objects.update(created_at=before)
    PersonChange.objects.update(at=before)
    late = Person.objects.get(pk=people[0].pk)  # as stored, registered before last year
    residents.raise_verification(late, Verification.PROVIDER, by=None, basis="BankID")
    share = _function("residents.verified_share")
    start, end = services.parse(str(year)).bounds()
    assert share.compute(start, end, None).value == pytest.approx(100 / 3)  # not 2/3 today
    this_start, this_end = services.parse(str(year + 1)).bounds()
    assert share.compute(this_start, this_end, None).value == pytest.approx(200 / 3)
    by_district = share.compute(start, end, people[0].district or None)
    assert by_district.value == pytest.approx(100 / 3)
    services.compute(str(year), codes={"ICT-09"}, by_district=False)
    stored = Value.objects.get(indicator__code="ICT-09", period=str(year), superseded_at=None)
    assert (stored.function_version, stored.value) == (2, pytest.approx(100 / 3))


def test_on_time_share_counts_each_report_against_its_own_categorys_target(
        city: Any, catalogue: int) -> None:
    """Counted in the database per target time: at the target is on time, past it late."""
    from misto.reports.models import Category, Report

    year = last_year()
    light = make_reports(year, [48, 50])  # "light": 48 hours
    urgent, _ = Category.objects.get_or_create(code="urgent", defaults={
        "title": "Аварія", "title_en": "Breakdown", "sla_hours": 24})
    made = make_reports(year, [20, 30])
    Report.objects.filter(pk__in=[report.pk for report in made]).update(category=urgent)
    start, end = services.parse(str(year)).bounds()
    measure = _function("reports.resolved_on_time_share").compute(start, end, None)
    assert (measure.value, measure.inputs) == (pytest.approx(50.0), 4)  # 48 of 48, 20 of 24
    west = _function("reports.resolved_on_time_share").compute(start, end,
                                                               world.WEST_DISTRICT)
    assert west.value == pytest.approx(50.0) and light


def test_response_and_resolution_times_are_computed_in_the_database(
        city: Any, catalogue: int) -> None:
    """The centre's medians and on-time share from SQL (the first of assigned or started,
    minus the opening), the same figures the rows give by hand."""
    from misto.situation.models import Incident, IncidentKind

    year = last_year()
    kind = IncidentKind.objects.create(code="leak", title_uk="Витік", title_en="Leak",
                                       response_target_minutes=15,
                                       resolution_target_minutes=240)
    opened = in_year(year, 4, 2)
    minutes = timedelta(minutes=1)
    for assigned, started, resolved in ((10, 5, 60), (20, None, 120), (None, 40, None),
                                        (None, None, None)):
        Incident.objects.create(
            kind=kind, title="Витік", district=world.WEST_DISTRICT, opened_at=opened,
            assigned_at=opened + assigned * minutes if assigned else None,
            started_at=opened + started * minutes if started else None,
            resolved_at=opened + resolved * minutes if resolved else None, lon=35.13,
            lat=47.82)
    start, end = services.parse(str(year)).bounds()
    median = _function("situation.response_minutes_median").compute(start, end, None)
    assert (median.value, median.inputs) == (pytest.approx(20), 3)  # 5, 20, 40
    on_time = _function("situation.response_on_time_share").compute(start, end,
                                                                     world.WEST_DISTRICT)
    assert (on_time.value, on_time.inputs) == (pytest.approx(100 / 3), 3)
    resolution = _function("situation.resolution_minutes_median").compute(start, end, None)
    assert (resolution.value, resolution.inputs) == (pytest.approx(90), 2)


def test_the_mean_days_to_answer_an_appeal_is_computed_in_the_database(
        city: Any, catalogue: int) -> None:
    from misto.appeals.models import Appeal, Reception, Status

    year = last_year()
    reception = Reception.objects.create(code="mayor", kind="mayor", title_uk="Мер",
                                         title_en="Mayor", department="council")
    for number, (received, answered) in enumerate(((1, 4), (10, 16), (20, None))):
        Appeal.objects.create(
            number=f"К-{number}", kind="proposal", channel="web", reception=reception,
            department="council", subject="Лавки", received_on=date(year, 3, received),
            due=date(year, 4, received),
            status=Status.ANSWERED if answered else Status.REGISTERED,
            # Half past midnight in the city is still the day before in UTC.
            answered_at=in_year(year, 3, answered, 0) + timedelta(minutes=30)
            if answered else None)
    start, end = services.parse(str(year)).bounds()
    mean = _function("appeals.answer_days_mean").compute(start, end, None)
    assert (mean.value, mean.inputs) == (pytest.approx(4.5), 2)  # 3 and 6 days, local
