"""What polls and hearings share: access (the same 404 for missing and hidden), who may
take part (``misto.residents.civic``), the districts' codes checked against the twin."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.consultations.errors import ConsultationsCode, ConsultationsError
from misto.consultations.models import Hearing, Poll, Scoped, State
from misto.core.permissions import can, scopes
from misto.residents.civic import Ineligible, Refusal, Rule, Standing, check_standing

T = TypeVar("T", Poll, Hearing)

MANAGE = {Poll: "consultations.poll.manage", Hearing: "consultations.hearing.manage"}


def not_found() -> ConsultationsError:
    return ConsultationsError(ConsultationsCode.NOT_FOUND, _("There is no such poll or "
                                                             "consultation."))


def access(model: type[T], user: Any, pk: int) -> T:
    """The poll or hearing, if ``user`` may see it: published ones to anyone, drafts to its
    organisers; the same 404 when it is missing or hidden."""
    found = model.objects.filter(pk=pk).first()
    if found is None or (not found.is_public and not can(user, MANAGE[model], found)):
        raise not_found()
    return found


def organiser_department(user: Any) -> str:
    """The department a new poll or hearing belongs to: its organiser's (so the same
    department's staff manage it), "" for staff bound to none."""
    return next((scope.department for scope in scopes(user) if scope.department), "")


def check_districts(codes: list[str]) -> list[str]:
    known = {d.katottg for d in twin.districts()}
    chosen = sorted({str(code)[:64] for code in codes or []})
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise ConsultationsError(ConsultationsCode.INVALID, _("Unknown districts: %(codes)s")
                                 % {"codes": ", ".join(unknown)}, field="districts")
    return chosen


def check_dates(opens_at: datetime | None, closes_at: datetime) -> None:
    if closes_at <= (opens_at or timezone.now()):
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("The closing time must be after the opening time and in "
                                   "the future."), field="closes_at")


def is_running(item: Scoped, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (item.state == State.OPEN and (item.opens_at is None or item.opens_at <= now)
            and now < item.closes_at)


def rule_of(item: Scoped) -> Rule:
    return Rule(register_verified_only=item.register_verified_only, min_age=item.min_age,
                districts=tuple(item.districts) if item.district_only else ())


def check_resident(user: Any, level: str | None, item: Scoped, verb: str) -> Standing:
    """The register's standing of ``user`` if ``item``'s rule admits them; ``verb`` is what
    they are doing ("vote", "comment") for the message."""
    try:
        return check_standing(user, level, rule_of(item))
    except Ineligible as refused:
        raise _ineligible(refused.reason, item, verb) from None


def _ineligible(reason: Refusal, item: Scoped, verb: str) -> ConsultationsError:
    if reason is Refusal.LEVEL_TOO_LOW:
        return ConsultationsError(ConsultationsCode.LEVEL_TOO_LOW,
                                  _("Taking part needs a sign-in through an identity provider "
                                    "(BankID, Diia or the city's own)."))
    if reason is Refusal.NOT_IN_REGISTER:
        return ConsultationsError(ConsultationsCode.NOT_ELIGIBLE,
                                  _("Only residents in the community register may take part; "
                                    "your account is not linked to a register entry."))
    if reason is Refusal.NOT_VERIFIED:
        return ConsultationsError(ConsultationsCode.NOT_ELIGIBLE,
                                  _("Your register entry is not verified yet; a provider "
                                    "sign-in or a visit to the administrative services centre "
                                    "verifies it."))
    if reason is Refusal.TOO_YOUNG:
        return ConsultationsError(ConsultationsCode.NOT_ELIGIBLE,
                                  _("Residents may take part from the age of %(age)s.")
                                  % {"age": item.min_age})
    return ConsultationsError(ConsultationsCode.OUTSIDE_DISTRICT,
                              _("Only residents of the districts concerned may take part."))
