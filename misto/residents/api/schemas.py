"""The shapes the residents' API answers with, shared by its audiences."""

from __future__ import annotations

from ninja import Schema

from misto.residents.models import Person


class PersonOut(Schema):
    """A person's record as the person, or staff who gave a reason, read it."""

    uuid: str
    verification: str
    district: str
    last_name: str | None = None
    first_name: str | None = None
    patronymic: str | None = None
    birth_date: str | None = None
    rnokpp: str | None = None
    document: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    declared_address: str | None = None

    @staticmethod
    def of(person: Person, personal: dict[str, str]) -> PersonOut:
        return PersonOut(uuid=str(person.uuid), verification=person.verification,
                         district=person.district, **personal)


class CorrectionOut(Schema):
    id: int
    field: str
    status: str


class AccessLogOut(Schema):
    """One read of the person's data by staff: who, when, which fields, why."""

    at: str
    who: str
    fields: list[str]
    reason: str
    channel: str


class ExportPersonOut(Schema):
    uuid: str
    last_name: str
    first_name: str
    patronymic: str
    birth_date: str
    rnokpp: str
    document: str
    phone: str
    email: str
    address: str
    declared_address: str
    district: str
    address_point_id: int | None = None
    declared_point_id: int | None = None
    verification: str
    version: int
    created_at: str
    updated_at: str


class HouseholdOut(Schema):
    relation: str
    member: str


class BenefitOut(Schema):
    category: str
    title: str
    valid_from: str
    valid_until: str | None = None
    document: str


class HistoryOut(Schema):
    version: int
    action: str
    fields: list[str]
    at: str
    by: str
    basis: str


class CorrectionRequestOut(Schema):
    field: str
    new_value: str
    comment: str
    status: str
    created_at: str
    decision_reason: str


class IdentityOut(Schema):
    provider: str
    linked_at: str


class IssuedExtractOut(Schema):
    code: str
    kind: str
    issued_at: str
    valid_until: str
    sha256: str


class ExportOut(Schema):
    """Everything the platform holds about the person (``services.export_data``)."""

    format: str
    generated_at: str
    person: ExportPersonOut
    household: list[HouseholdOut]
    benefits: list[BenefitOut]
    history: list[HistoryOut]
    access_log: list[AccessLogOut]
    corrections: list[CorrectionRequestOut]
    identities: list[IdentityOut]
    extracts: list[IssuedExtractOut]
