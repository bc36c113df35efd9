"""Indicators the register computes for the City Progress Index
(``MistoModule.indicators``): counts only, never a person."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.residents.models import ExternalIdentity, Person, PersonBenefit, Verification


def _people(end: datetime, district: str | None) -> QuerySet[Person]:
    rows = Person.objects.filter(created_at__lt=end)
    return rows.filter(district=district) if district else rows


def registered(start: datetime, end: datetime, district: str | None) -> Measure:
    count = _people(end, district).count()
    return Measure(float(count), count)


def verified_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the register's entries verified by an identity provider or a clerk (the state
    at computation: a verification's date is not kept)."""
    counts = _people(end, district).aggregate(total=Count("pk"), verified=Count(
        "pk", filter=~Q(verification=Verification.SELF)))
    total = counts["total"]
    return Measure(100.0 * counts["verified"] / total if total else None, total)


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
                      "% of the register's entries with a verified identity.",
                      by_district=True),
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
