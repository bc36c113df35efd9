"""Indicators the register computes for the City Progress Index
(``MistoModule.indicators``): counts only, never a person."""

from __future__ import annotations

import json
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.residents.models import (
    ExternalIdentity,
    Person,
    PersonBenefit,
    PersonChange,
    Verification,
)


def _people(end: datetime, district: str | None) -> QuerySet[Person]:
    rows = Person.objects.filter(created_at__lt=end)
    return rows.filter(district=district) if district else rows


def registered(start: datetime, end: datetime, district: str | None) -> Measure:
    count = _people(end, district).count()
    return Measure(float(count), count)


def _verified_then(person_ids: list[int], end: datetime) -> dict[int, bool]:
    """Whether each person was verified at ``end``, from their last register record before
    it (the record keeps the whole state; only its verification level is read here).
    A person with no record before ``end`` is left out: their level then is not known."""
    found: dict[int, bool] = {}
    for change in (PersonChange.objects.filter(person_id__in=person_ids, at__lt=end)
                   .order_by("person_id", "-version").only("person_id", "snapshot")):
        if change.person_id not in found:
            level = json.loads(change.snapshot)["state"].get("verification")
            found[change.person_id] = level not in (None, Verification.SELF)
    return found


def verified_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the register's entries verified by an identity provider or a clerk, as they
    stood at the period's end. Counted in the database for everyone whose level has not
    changed since (their level then is today's); for the few whose level changed after the
    period, the register's history says what it was then. Version 1 counted today's levels
    for any period."""
    people = _people(end, district)
    changed = list(people.filter(pk__in=PersonChange.objects.filter(
        at__gte=end, fields__icontains='"verification"').values("person_id"))
        .values_list("pk", flat=True))
    counts = people.exclude(pk__in=changed).aggregate(
        total=Count("pk"), verified=Count("pk", filter=~Q(verification=Verification.SELF)))
    then = _verified_then(changed, end)
    total = counts["total"] + len(then)
    verified = counts["verified"] + sum(then.values())
    return Measure(100.0 * verified / total if total else None, total)


def with_account_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the register's entries linked to a resident's account (a city-card user)."""
    counts = _people(end, district).aggregate(total=Count("pk"), linked=Count(
        "pk", filter=Q(user__isnull=False)))
    total = counts["total"]
    return Measure(100.0 * counts["linked"] / total if total else None, total)


def digital_id_accounts(start: datetime, end: datetime, district: str | None) -> Measure:
    """Accounts that signed in with a state digital identity (BankID, ID.gov.ua, Diia)."""
    count = (ExternalIdentity.objects.filter(created_at__lt=end)
             .values("user_id").distinct().count())
    return Measure(float(count), count)


def new_registrations(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = Person.objects.filter(created_at__gte=start, created_at__lt=end)
    count = (rows.filter(district=district) if district else rows).count()
    return Measure(float(count), count)


def benefit_holders(start: datetime, end: datetime, district: str | None) -> Measure:
    """Residents holding a benefit category valid on the period's last day."""
    last_day = end.date()
    rows = PersonBenefit.objects.filter(valid_from__lt=last_day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=last_day))
    if district:
        rows = rows.filter(person__district=district)
    count = rows.values("person_id").distinct().count()
    return Measure(float(count), count)


INDICATORS = (
    IndicatorFunction("residents.registered", registered,
                      "Entries of the territorial-community register at the period's end.",
                      by_district=True),
    IndicatorFunction("residents.verified_share", verified_share,
                      "% of the register's entries with a verified identity at the "
                      "period's end.", version=2, by_district=True),
    IndicatorFunction("residents.with_account_share", with_account_share,
                      "% of the register's entries linked to a resident's account.",
                      by_district=True),
    IndicatorFunction("residents.digital_id_accounts", digital_id_accounts,
                      "Accounts signed in with a state digital identity."),
    IndicatorFunction("residents.new_registrations", new_registrations,
                      "Entries added to the register in the period.", by_district=True),
    IndicatorFunction("residents.benefit_holders", benefit_holders,
                      "Residents holding a valid benefit category at the period's end.",
                      by_district=True),
)
