"""Reads of personal data: by the person, by staff (logged), and by other modules.

Every read of personal data by someone other than the person goes through
:func:`read_personal`, which checks ``can`` and writes the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from misto.core.permissions import can, roles_of
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.models import (
    AccessLogEntry,
    ExternalIdentity,
    HouseholdLink,
    Person,
    PersonBenefit,
)
from misto.residents.services.register import person_ref
from misto.residents.services.validation import PERSONAL_FIELDS, REGISTER_FIELDS


def actor_label(user: Any) -> str:
    if user is None:
        return ""
    roles = ", ".join(roles_of(user)) or ("administrator" if user.is_superuser else "staff")
    return f"{user.get_username()} ({roles})"


def history(person: Person) -> list[dict[str, Any]]:
    return [{"version": row.version, "action": row.action, "fields": row.fields,
             "at": row.at.isoformat(), "by": actor_label(row.by) if row.by else "",
             "basis": row.basis}
            for row in person.changes.select_related("by").order_by("version")]


def read_personal(person: Person, *, actor: Any, reason: str,
                  fields: tuple[str, ...] = PERSONAL_FIELDS, channel: str = "web"
                  ) -> dict[str, str]:
    """The person's personal fields for ``actor``; logged unless the actor is the person.

    Raises ``PermissionDenied`` when ``can(actor, "residents.person.view_personal",
    person)`` says no, and :class:`ResidentsError` when staff give no reason.
    """
    if not can(actor, "residents.person.view_personal", person):
        raise PermissionDenied("residents.person.view_personal")
    fields = tuple(name for name in fields if name in PERSONAL_FIELDS)
    own = person.user_id is not None and person.user_id == getattr(actor, "pk", None)
    if not own:
        if len(reason.strip()) < 3:
            raise ResidentsError(ResidentsCode.REASON_REQUIRED,
                                 _("Say why you open this person's data."))
        AccessLogEntry.objects.create(person=person, actor=actor, actor_label=actor_label(
            actor), fields=list(fields), reason=reason.strip()[:1000], channel=channel)
    return {name: str(getattr(person, name)) for name in fields}


def contact_for(user: Any, *, actor: Any, reason: str,
                fields: tuple[str, ...] = ("phone", "email")) -> dict[str, str]:
    """Public function: a resident's contacts for staff, logged in their access log."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return {}
    return read_personal(person, actor=actor, reason=reason, fields=fields, channel="module")


def person_summary(user: Any) -> dict[str, Any] | None:
    person = Person.objects.filter(user=user).first() if getattr(user, "pk", None) else None
    if person is None:
        return None
    today = timezone.localdate()
    return {"district": person.district or None, "verification": person.verification,
            "benefits": sorted(benefit.category.code for benefit in active_benefits(person,
                                                                                  today))}


def benefits_on(user: Any, day: date) -> list[str]:
    """The benefit category codes the register holds valid for ``user`` on ``day`` (a
    benefit whose ``valid_until`` is yesterday no longer counts); no names, no documents."""
    person = Person.objects.filter(user=user).first() if getattr(user, "pk", None) else None
    if person is None:
        return []
    return sorted(benefit.category.code for benefit in active_benefits(person, day))


def benefits_of(ref: Any, day: date) -> list[str]:
    """:func:`benefits_on` for a register person by their uuid (a child's pupil card: the
    child has no account of their own)."""
    person = Person.objects.filter(uuid=ref).first()
    return sorted(b.category.code for b in active_benefits(person, day)) if person else []


@dataclass(frozen=True)
class BenefitPeriod:
    """One benefit the register holds for a person: its category code and validity."""

    code: str
    valid_from: date
    valid_until: date | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)


def benefit_periods(*, user_ids: Any = (), refs: Any = ()) -> dict[Any, list[BenefitPeriod]]:
    """:func:`benefits_on` / :func:`benefits_of` for many people at once (a validator's
    upload of taps by hundreds of riders over several days): each person's benefit periods,
    keyed by the user id or the register uuid asked for, in two queries. Codes and dates only."""
    found: dict[Any, list[BenefitPeriod]] = {}
    users, uuids = set(user_ids), set(refs)
    if not users and not uuids:
        return found
    for key_field, keys in (("person__user_id", users), ("person__uuid", uuids)):
        if not keys:
            continue
        rows = (PersonBenefit.objects.filter(**{f"{key_field}__in": keys})
                .values_list(key_field, "category__code", "valid_from", "valid_until"))
        for key, code, start, end in rows:
            found.setdefault(key, []).append(BenefitPeriod(code, start, end))
    return found


@dataclass(frozen=True)
class Child:
    ref: UUID  # the register person's uuid
    first_name: str


def children_of(user: Any) -> list[Child]:
    """The children the register records in the signed-in resident's household: whom a
    parent may manage a pupil's card for. First names only; nothing else leaves."""
    parent = person_of(user)
    if parent is None:
        return []
    links = (HouseholdLink.objects.filter(person=parent, relation=HouseholdLink.Relation.CHILD)
             .select_related("member").order_by("member_id"))
    return [Child(link.member.uuid, link.member.first_name) for link in links]


def active_benefits(person: Person, today: date | None = None) -> list[PersonBenefit]:
    today = today or timezone.localdate()
    return [benefit for benefit in person.benefits.select_related("category")
            if benefit.valid_from <= today and (benefit.valid_until is None
                                                or benefit.valid_until >= today)]


def person_of(user: Any) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def export_data(person: Person) -> dict[str, Any]:
    """Everything the platform holds about a person (the resident's data download)."""
    language = get_language()
    return {
        "format": "misto.residents.export/1",
        "generated_at": timezone.now().isoformat(),
        "person": {"uuid": str(person.uuid), **{name: getattr(person, name) for name in
                                                REGISTER_FIELDS},
                   "version": person.version, "created_at": person.created_at.isoformat(),
                   "updated_at": person.updated_at.isoformat()},
        "household": [{"relation": link.relation, "member": link.member.full_name}
                      for link in person.household.select_related("member")],
        "benefits": [{"category": benefit.category.code,
                      "title": benefit.category.title(language),
                      "valid_from": benefit.valid_from.isoformat(),
                      "valid_until": benefit.valid_until.isoformat()
                      if benefit.valid_until else None,
                      "document": benefit.document}
                     for benefit in person.benefits.select_related("category")],
        "history": history(person),
        "access_log": access_log(person),
        "corrections": [{"field": row.field, "new_value": row.new_value, "comment": row.comment,
                         "status": row.status, "created_at": row.created_at.isoformat(),
                         "decision_reason": row.decision_reason}
                        for row in person.corrections.all()],
        "identities": [{"provider": row.provider, "linked_at": row.created_at.isoformat()}
                       for row in ExternalIdentity.objects.filter(user_id=person.user_id)]
        if person.user_id else [],
        "extracts": [row.public() for row in person.extracts.all()],
    }


def audit_log(actor: Any, *, username: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Staff reads of personal data for auditors: who, when, which fields, why; the person
    appears only as an opaque reference (no personal data)."""
    if not can(actor, "residents.access_log.audit"):
        raise PermissionDenied("residents.access_log.audit")
    rows = AccessLogEntry.objects.select_related("person").order_by("-at", "-pk")
    if username:
        rows = rows.filter(actor__username=username[:150])
    return [{"at": row.at, "who": row.actor_label, "person_ref": person_ref(row.person)[:16],
             "district": row.person.district, "fields": row.fields, "reason": row.reason,
             "channel": row.channel} for row in rows[:limit]]


def access_log(person: Person) -> list[dict[str, Any]]:
    return [{"at": row.at.isoformat(), "who": row.actor_label, "fields": row.fields,
             "reason": row.reason, "channel": row.channel}
            for row in person.access_log.all()[:500]]


def field_label(name: str) -> str:
    field = Person._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))
