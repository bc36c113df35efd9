"""The index's part of the demo city: the catalogue, a strategy's targets for last year and
this one, values entered by the departments with their source documents for three years,
and every computed indicator for last year and this one (years and quarters)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from misto.core.models import StaffAssignment
from misto.index import services
from misto.index.models import Indicator, Method, Target, Value

# code: (value three years ago, two years ago, last year), the document they come from
ENTERED = {
    "ECO-01": ((11.2, 10.4, 9.1), "Звіт центру зайнятості за {year} рік"),
    "EDU-04": ((38.0, 55.0, 71.0), "Звіт департаменту освіти про е-щоденники, {year}"),
    "ENR-05": ((42.0, 51.0, 63.0), "Акт інвентаризації мереж освітлення, {year}"),
    "ENR-06": ((5.0, 12.0, 19.0), "Звіт КП «Міськсвітло», {year}"),
    "FIN-01": ((6.1, 5.4, 4.8), "Рішення про виконання бюджету за {year} рік"),
    "FIN-04": ((1.0, 1.5, 2.0), "Рішення про бюджет участі на {year} рік"),
    "HLT-05": ((61.0, 70.0, 78.0), "Дані eHealth за {year} рік"),
    "ICT-20": ((34.0, 41.0, 48.0), "Звіт операторів зв'язку, {year}"),
    "ICT-21": ((4.0, 9.0, 14.0), "Реєстр базових станцій LoRaWAN, {year}"),
    "SAF-14": ((320.0, 410.0, 560.0), "Реєстр камер міської системи, {year}"),
    "TRN-03": ((81.0, 83.0, 86.0), "ГІС-аналіз доступності зупинок, {year}"),
    "WAT-03": ((38.0, 35.0, 33.0), "Звіт КП «Водоканал» за {year} рік"),
    "WST-04": ((4.0, 6.5, 9.0), "Звіт КП «Чисте місто» за {year} рік"),
}
# code: (planned last year, planned this year) - the strategy's stage targets
TARGETS = {
    "ECO-01": (9.5, 8.5), "EDU-04": (70.0, 85.0), "ENR-05": (60.0, 75.0),
    "ENR-06": (25.0, 35.0), "FIN-01": (5.0, 5.0), "FIN-04": (2.0, 3.0),
    "HLT-05": (75.0, 85.0), "ICT-20": (50.0, 60.0), "ICT-21": (12.0, 20.0),
    "SAF-14": (500.0, 700.0), "TRN-03": (85.0, 90.0), "TRN-04": (90.0, 100.0),
    "WAT-03": (30.0, 28.0), "WST-04": (10.0, 15.0), "GOV-25": (12.0, 15.0),
    "GOV-05": (80.0, 85.0), "GOV-06": (50.0, 60.0), "GOV-12": (90.0, 95.0),
    "SAF-06": (2.0, 3.0), "ICT-14": (5.0, 10.0),
}


def _clerk() -> Any:
    user, created = get_user_model().objects.get_or_create(
        username="strategy-office", defaults={"first_name": "Стратегічний", "last_name":
                                              "офіс", "is_staff": True})
    if created:
        user.set_unusable_password()
        user.save()
    StaffAssignment.objects.get_or_create(user=user, role="clerk", department="",
                                          district="")
    return user


def load(stdout: Any) -> None:
    services.ensure_loaded()
    this = timezone.localdate().year
    clerk = _clerk()
    entered = 0
    for code, (values, source) in ENTERED.items():
        indicator = Indicator.objects.get(code=code)
        for offset, value in zip((3, 2, 1), values, strict=True):
            year = this - offset
            if Value.objects.filter(indicator=indicator, period=str(year)).exists():
                continue
            services.do_enter(clerk, services.check_entry(
                indicator, str(year), value, source.format(year=year)),
                indicator.method if indicator.method != Method.COMPUTED else Method.ENTERED)
            entered += 1
    for code, planned in TARGETS.items():
        indicator = Indicator.objects.get(code=code)
        for year, value in zip((this - 1, this), planned, strict=True):
            if not Target.objects.filter(indicator=indicator, year=year).exists():
                services.do_set_target(clerk, services.check_target(
                    indicator, year, value, "Стратегія розвитку, етап 2025–2030"))
    computed = 0
    for year in (this - 1, this):
        for outcome in services.compute_year(year, months=False):
            computed += outcome.computed
    stdout.write(f"index: {Indicator.objects.count()} indicators, {entered} values "
                 f"entered, {computed} computed\n")
