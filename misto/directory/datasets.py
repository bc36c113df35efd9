"""The directory's open dataset (``MistoModule.datasets``): the public service points with
their hours, contacts and accessibility, and the e-services catalogue. Only entries shown to
residents; an organisation's phones and e-mails are its reception's, never a person's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.directory.models import ContactKind, EService, Unit


def _contact(unit: Unit, kind: str) -> str:
    return next((contact.value for contact in unit.contacts.all() if contact.kind == kind), "")


def places() -> Iterator[dict[str, Any]]:
    rows = (Unit.objects.filter(organisation__public=True)
            .select_related("organisation").prefetch_related("contacts", "services")
            .order_by("slug"))
    for unit in rows:
        yield {"code": unit.slug, "name": unit.name_uk, "name_en": unit.name_en,
               "organisation": unit.organisation.name_uk,
               "kind": unit.organisation.kind, "address": unit.address,
               "landmark": unit.landmark, "district": unit.district,
               "opening_hours": unit.hours,
               "phone": _contact(unit, ContactKind.PHONE),
               "email": _contact(unit, ContactKind.EMAIL),
               "website": _contact(unit, ContactKind.WEBSITE),
               "step_free": unit.step_free, "ramp": unit.ramp,
               "accessible_toilet": unit.accessible_toilet,
               "hearing_loop": unit.hearing_loop,
               "services": " ".join(sorted(service.slug for service in unit.services.all())),
               "geometry": {"type": "Point", "coordinates": [unit.lon, unit.lat]}}


def eservices() -> Iterator[dict[str, Any]]:
    for service in EService.objects.order_by("slug"):
        yield {"code": service.slug, "title": service.title_uk, "title_en": service.title_en,
               "summary": service.summary_uk, "online_url": service.online_url,
               "diia_url": service.diia_url}


DATASETS = (
    OpenDataset(
        name="directory", title="Довідник міста: установи, години роботи, послуги",
        title_en="City directory: service points, opening hours, services",
        description="Місця обслуговування (ЦНАП, школи, садочки, лікарні, укриття...) з "
                    "адресою, годинами роботи в синтаксисі OpenStreetMap, контактами "
                    "приймалень і доступністю; каталог е-послуг.",
        description_en="Service points (ASC offices, schools, kindergartens, clinics, "
                       "shelters...) with the address, opening hours in OpenStreetMap syntax, "
                       "reception contacts and accessibility; the e-services catalogue.",
        publisher="council", theme="GOVE", keywords=("довідник", "ЦНАП", "години роботи"),
        frequency="DAILY", stale_on=("directory.EntryChanged",),
        tables=(
            OpenTable("places", "Місця обслуговування", "Service points", (
                Column("code", "string", "Код", "Code"),
                Column("name", "string", "Назва", "Name"),
                Column("name_en", "string", "Назва англійською", "Name in English"),
                Column("organisation", "string", "Установа", "Organisation"),
                Column("kind", "string", "Тип установи", "Kind of organisation"),
                Column("address", "string", "Адреса", "Address"),
                Column("landmark", "string", "Найближчий орієнтир", "Nearest landmark"),
                Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
                Column("opening_hours", "string", "Години роботи (OSM)",
                       "Opening hours (OSM)"),
                Column("phone", "string", "Телефон", "Phone"),
                Column("email", "string", "Ел. пошта", "E-mail"),
                Column("website", "string", "Вебсайт", "Website"),
                Column("step_free", "boolean", "Вхід без сходинок", "Step-free entrance"),
                Column("ramp", "boolean", "Пандус", "Ramp"),
                Column("accessible_toilet", "boolean", "Доступний туалет",
                       "Accessible toilet"),
                Column("hearing_loop", "boolean", "Індукційна петля", "Hearing loop"),
                Column("services", "string", "Послуги (коди)", "Services (codes)"),
            ), places, geometry=True),
            OpenTable("eservices", "Е-послуги", "E-services", (
                Column("code", "string", "Код", "Code"),
                Column("title", "string", "Назва", "Title"),
                Column("title_en", "string", "Назва англійською", "Title in English"),
                Column("summary", "string", "Опис", "Summary"),
                Column("online_url", "string", "Отримати онлайн", "Online"),
                Column("diia_url", "string", "У Дії", "In Diia"),
            ), eservices),
        )),
)
