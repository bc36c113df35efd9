"""Residents' domain operations, one file per concept: the register, personal-data reads,
corrections, extracts, sessions and the cabinet home.

Views, the API and the commands only call these functions. Each checks everything first and
writes only then, in one transaction with its history and event (see ``register``).

The concepts, each in its own file (a file imports only those listed before it):
``validation`` (a person's fields, addresses); ``register`` (create, change, link, benefits,
household, each change recorded and published); ``reading`` (personal data for the person,
for staff with the access log, for other modules; the data download); ``access`` (fetch
and permission check in one call, the same 404 for missing and hidden); ``corrections``
(requests and decisions); ``extracts`` (issue and public check); ``sessions`` (a resident's
sign-ins); ``cabinet`` (the modules' panels). This package re-exports the names the rest of
the code uses, so callers keep writing ``services.create_person(...)``.
"""

from __future__ import annotations

# Re-exported: the services raise Django's PermissionDenied for an actor without the right
# (read_personal, register_person...), and callers catch it as ``services.PermissionDenied``.
from django.core.exceptions import PermissionDenied

from misto.residents.errors import ResidentsCode, ResidentsError, forbidden, not_found
from misto.residents.services.access import (
    access_correction,
    access_own_person,
    access_person,
)
from misto.residents.services.cabinet import cabinet_panels
from misto.residents.services.corrections import (
    decide_correction,
    pending_corrections,
    request_correction,
)
from misto.residents.services.extracts import (
    EXTRACT_VALID_DAYS,
    ExtractCheck,
    issue_extract,
    new_extract_code,
    verify_extract,
)
from misto.residents.services.reading import (
    BenefitPeriod,
    access_log,
    active_benefits,
    actor_label,
    audit_log,
    benefit_periods,
    benefits_of,
    benefits_on,
    children_of,
    contact_for,
    export_data,
    field_label,
    history,
    person_of,
    person_summary,
    read_personal,
)
from misto.residents.services.register import (
    add_benefit,
    change_person,
    create_person,
    find_by_rnokpp,
    link_account,
    link_household,
    person_ref,
    raise_verification,
    register_department,
    register_person,
    snapshot,
)
from misto.residents.services.sessions import end_other_sessions, remember_session, sessions_of
from misto.residents.services.validation import (
    CORRECTABLE,
    PERSONAL_FIELDS,
    REGISTER_FIELDS,
    AddressMatch,
    clean_person,
    match_address,
    normalise_phone,
    parse_date,
)

__all__ = [
    "CORRECTABLE",
    "EXTRACT_VALID_DAYS",
    "PERSONAL_FIELDS",
    "REGISTER_FIELDS",
    "AddressMatch",
    "BenefitPeriod",
    "ExtractCheck",
    "PermissionDenied",
    "ResidentsCode",
    "ResidentsError",
    "access_correction",
    "access_log",
    "access_own_person",
    "access_person",
    "active_benefits",
    "actor_label",
    "add_benefit",
    "audit_log",
    "benefit_periods",
    "benefits_of",
    "benefits_on",
    "cabinet_panels",
    "change_person",
    "children_of",
    "clean_person",
    "contact_for",
    "create_person",
    "decide_correction",
    "end_other_sessions",
    "export_data",
    "field_label",
    "find_by_rnokpp",
    "forbidden",
    "history",
    "issue_extract",
    "link_account",
    "link_household",
    "match_address",
    "new_extract_code",
    "normalise_phone",
    "not_found",
    "parse_date",
    "pending_corrections",
    "person_of",
    "person_ref",
    "person_summary",
    "raise_verification",
    "read_personal",
    "register_department",
    "register_person",
    "remember_session",
    "request_correction",
    "sessions_of",
    "snapshot",
    "verify_extract",
]
