"""A resident's standing in the community, for the modules where one person has one voice
(petitions, participatory budget, polls).

``standing(user)`` answers from the register, never from what the account says of itself:
the person behind the account, their age today, their district, and whether the register
entry was verified by an identity provider or a clerk. ``public_names`` gives the form of
a signer's name that the law makes public (Art. 23-1: the list of signers), in the style
the city chose, and nothing else of the person.

``check_standing(user, level, rule)`` is the one eligibility check of those modules: a
``Rule`` (eligibility as data: the sign-in level, a verified register entry, a minimum age,
the districts) against the register; it raises ``Ineligible`` with a ``Refusal`` reason,
which each module words in its own terms (sign, vote, answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils import timezone

from misto.residents import levels
from misto.residents.models import Person, Verification


class NameStyle(StrEnum):
    """How a signer's name appears on a public list."""

    INITIALS = "initials"  # "Петренко І. О."
    FULL = "full"  # "Петренко Іван Олегович"


@dataclass(frozen=True)
class Standing:
    """What an eligibility rule may ask of the register; no name, no number, no address."""

    person_id: int
    person_uuid: str
    age: int | None
    district: str
    register_verified: bool


def _age(birth_date: str, today: date) -> int | None:
    try:
        born = date.fromisoformat(birth_date)
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def standing(user: Any, today: date | None = None) -> Standing | None:
    """The register's answer about ``user``; ``None`` when no register entry is linked."""
    if not getattr(user, "pk", None):
        return None
    # Only the fields asked about: every encrypted field read is a decryption.
    person = (Person.objects.filter(user=user)
              .only("pk", "uuid", "birth_date", "district", "verification").first())
    if person is None:
        return None
    return Standing(
        person_id=person.pk, person_uuid=str(person.uuid),
        age=_age(person.birth_date, today or timezone.localdate()),
        district=person.district,
        register_verified=person.verification != Verification.SELF,
    )


@dataclass(frozen=True)
class Rule:
    """Who may take part: the data a petition, a budget round or a poll carries."""

    level: str = levels.VERIFIED  # of the sign-in (misto.residents.levels)
    register_verified_only: bool = True
    min_age: int = 0  # 0: any age (an unknown birth date still passes)
    districts: tuple[str, ...] = ()  # () : every district of the hromada


class Refusal(StrEnum):
    """Why the register says no (in the order they are checked)."""

    LEVEL_TOO_LOW = "level_too_low"
    NOT_IN_REGISTER = "not_in_register"
    NOT_VERIFIED = "not_verified"
    TOO_YOUNG = "too_young"
    OUTSIDE_DISTRICT = "outside_district"


class Ineligible(Exception):
    """``check_standing``'s refusal; the calling module turns ``reason`` into its message."""

    def __init__(self, reason: Refusal, rule: Rule) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.rule = rule


def check_standing(user: Any, level: str | None, rule: Rule,
                   today: date | None = None) -> Standing:
    """The register's standing of ``user`` (signed in at ``level``) if ``rule`` admits them;
    ``Ineligible`` with the first failed condition otherwise. Nothing is written."""
    needed = levels.RANK.get(rule.level, levels.RANK[levels.VERIFIED])
    if level is None or levels.RANK.get(level, 0) < needed:
        raise Ineligible(Refusal.LEVEL_TOO_LOW, rule)
    person = standing(user, today)
    if person is None:
        raise Ineligible(Refusal.NOT_IN_REGISTER, rule)
    if rule.register_verified_only and not person.register_verified:
        raise Ineligible(Refusal.NOT_VERIFIED, rule)
    if rule.min_age and (person.age is None or person.age < rule.min_age):
        raise Ineligible(Refusal.TOO_YOUNG, rule)
    if rule.districts and person.district not in rule.districts:
        raise Ineligible(Refusal.OUTSIDE_DISTRICT, rule)
    return person


def _styled(person: Person, style: NameStyle) -> str:
    if style is NameStyle.FULL:
        return person.full_name
    initials = " ".join(f"{part[0]}." for part in (person.first_name, person.patronymic) if part)
    return f"{person.last_name} {initials}".strip()


def public_names(person_ids: list[int], style: NameStyle | str) -> dict[int, str]:
    """The public form of each person's name (the register decrypts; nothing else leaves)."""
    chosen = NameStyle(style)
    return {person.pk: _styled(person, chosen)
            for person in Person.objects.filter(pk__in=person_ids)}
