"""January reminders: every entered indicator still without last year's value is reminded
to the staff who may enter it, once a year (the report is due by 1 February)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from misto.core import bus
from misto.core.permissions import who_can
from misto.index.events import EnteredValueMissing
from misto.index.models import Indicator, Method, Reminder, Value


def missing_entered(year: int) -> list[Indicator]:
    have = Value.objects.filter(period=str(year), district="", superseded_at=None)
    return list(Indicator.objects.filter(active=True, method__in=(Method.ENTERED,
                                                                  Method.IMPORTED))
                .exclude(pk__in=have.values("indicator_id")).order_by("code"))


def remind(today: date | None = None) -> int:
    """In January: publish one ``EnteredValueMissing`` per missing value (the notifications
    module tells the staff); any other month nothing. Returns how many were sent."""
    today = today or timezone.localdate()
    if today.month != 1:
        return 0
    year = today.year - 1
    sent = 0
    for indicator in missing_entered(year):
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(indicator=indicator, year=year)
            if not created:
                continue
            users = tuple(sorted(who_can("index.value.enter", indicator)
                                 .values_list("pk", flat=True)))
            reminder.recipients = len(users)
            reminder.save(update_fields=["recipients"])
            bus.publish(EnteredValueMissing(
                indicator=indicator.code, name_uk=indicator.name_uk, name_en=indicator.name_en,
                year=year, department=indicator.department, user_ids=users))
            sent += 1
    return sent
