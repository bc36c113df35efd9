"""Residents: the territorial-community register, identity, roles and the cabinet.

Public functions other modules may call (``from misto.residents import person_summary``):

- ``person_summary(user) -> dict | None``: the signed-in resident's non-secret summary
  (``district`` code, ``verification`` level, ``benefits`` codes valid today); no names.
- ``benefits_on(user, day) -> list[str]``: the benefit category codes valid on ``day`` (what
  the wallet's fares check for a ride taken that day; a late upload uses the tap's day).
- ``benefits_of(person_ref, day)``: the same for a register person by uuid (a child's pupil
  card), and ``children_of(user) -> [Child(ref, first_name)]``: the children the register
  records in the resident's household (whom a parent may manage a pupil's card for).
- ``benefit_periods(user_ids=..., refs=...) -> {user id or uuid: [BenefitPeriod(code,
  valid_from, valid_until)]}``: the same for many people at once (a validator's upload).
- ``contact_for(user, *, actor, reason, fields=("phone", "email")) -> dict``: a person's
  contact details for staff who may read them; every call is written to the resident's
  access log (who, whom, which fields, why) and raises ``PermissionDenied`` otherwise.

- ``contact_address(user, channel) -> str | None``: the e-mail address or phone a code
  account confirmed to receive updates (``"email"`` or ``"sms"``), only to send those updates.
- ``misto.residents.codes``: ``request_code(channel, address, client, for_updates=True)``
  sends a code confirming an address for updates, ``confirm_contact(token, code)`` returns
  the address's account (the one a later code sign-in finds), ``check_address`` and
  ``CodeError`` (follow a report without an account, docs/residents.md).
- ``misto.residents.levels.level_required("basic" | "verified")`` (a view decorator) and
  ``levels.require_level(request, level)``: the sign-in level an action needs; a resident
  below it is led to raise it and comes back (docs/residents.md, "Levels and the gate").

- ``misto.residents.civic``: ``standing(user) -> Standing | None`` (the register's person id
  and uuid, age today, district, whether the entry is verified: what one-person-one-voice
  modules check) and ``public_names(person_ids, style)`` (a signer's name as the law makes
  it public, "Петренко І. О." or in full).

Roles and the permission function are in the core (``misto.core.permissions.can``).
"""

from typing import Any

__all__ = ["benefit_periods", "benefits_of", "benefits_on", "children_of", "contact_address",
           "contact_for", "person_summary"]


def __getattr__(name: str) -> Any:
    # Lazy: this package is imported while Django loads its apps, before models may be.
    if name == "contact_address":
        from misto.residents import codes

        return codes.contact_address
    if name in __all__:
        from misto.residents import services

        return getattr(services, name)
    raise AttributeError(f"module 'misto.residents' has no attribute {name!r}")
