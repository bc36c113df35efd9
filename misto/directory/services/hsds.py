"""Open Referral HSDS 3.0 (JSON) export and import.

The export is the tabular form as JSON: ``organizations``, ``services``, ``locations``,
``service_at_locations``, ``phones`` and ``schedules`` arrays, with UUIDs derived from our
codes (uuid5, stable between exports). Schedules are the weekly hours as RFC 5545 rules
(``freq=WEEKLY``, ``byday``, ``opens_at``/``closes_at`` with the city's UTC offset); HSDS has
no way to say "closed on public holidays" or a seasonal period, so each location's schedule
also carries the exact OpenStreetMap expression in ``notes`` (``opening_hours=...``), which our
import prefers. Another system's file without it is rebuilt from its weekly rules.

The import validates the whole file first and changes nothing when any object is bad,
reporting each problem with its path (``locations[3].latitude``).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.directory.errors import DirectoryCode, DirectoryError, DirectoryProblems
from misto.directory.models import ContactKind, EService, Organisation, OrgKind, Unit
from misto.directory.services.hours import Hours, check_hours, city_zone
from misto.directory.services.places import check_phone, place

NAMESPACE = uuid.UUID("7d0b6c1e-5a47-4c39-9d1e-6a2f3b9c0d11")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
NOTE = "opening_hours="
MAX_OBJECTS = 5000


def hsds_id(kind: str, slug: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{slug}"))


def _offset() -> str:
    offset = timezone.localtime(timezone.now(), city_zone()).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def _weekly(unit: Unit) -> list[dict[str, Any]]:
    """The weekly rules of an ordinary week (no holidays or closures), grouped by equal
    spans: Mo-Fr 08:00-12:00,13:00-17:00 gives two rules with byday MO..FR."""
    if not unit.hours:
        return []
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    hours = Hours(unit.hours, [], closed_on_days_off=False, start=monday, days=7)
    by_span: dict[tuple[time, time], list[str]] = defaultdict(list)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        for begin, end in hours.open_intervals(datetime.combine(day, time()),
                                               datetime.combine(day + timedelta(days=1), time())):
            by_span[(begin.time(), end.time())].append(DAYS[offset])
    suffix = _offset()
    return [{"freq": "WEEKLY", "byday": ",".join(days), "opens_at": f"{b:%H:%M}{suffix}",
             "closes_at": "24:00" + suffix if e == time() else f"{e:%H:%M}{suffix}"}
            for (b, e), days in sorted(by_span.items())]


def export() -> dict[str, Any]:
    orgs = list(Organisation.objects.filter(public=True))
    units = list(Unit.objects.filter(organisation__public=True)
                 .select_related("organisation").prefetch_related("contacts", "services"))
    services = list(EService.objects.all())
    phones, schedules, links = [], [], []
    locations = []
    for unit in units:
        location_id = hsds_id("unit", unit.slug)
        locations.append({
            "id": location_id, "organization_id": hsds_id("org", unit.organisation.slug),
            "location_type": "physical", "name": unit.name_uk, "alternate_name": unit.name_en,
            "latitude": unit.lat, "longitude": unit.lon,
            "addresses": [{"id": hsds_id("address", unit.slug), "location_id": location_id,
                           "address_1": unit.address, "city": "", "state_province": "",
                           "postal_code": "", "country": "UA", "address_type": "physical"}]
            if unit.address else [],
            "languages": [{"id": hsds_id(f"lang-{code}", unit.slug), "location_id": location_id,
                           "code": code} for code in unit.languages],
            "accessibility": [{"id": hsds_id("access", unit.slug), "location_id": location_id,
                               "description": ", ".join(_access(unit))}] if _access(unit)
            else [],
            "external_identifiers": [{"identifier": unit.landmark,
                                      "identifier_type": "misto-landmark"}]
            if unit.landmark else [],
        })
        for contact in unit.contacts.all():
            if contact.kind == ContactKind.PHONE:
                phones.append({"id": hsds_id(f"phone-{contact.pk}", unit.slug),
                               "location_id": location_id, "number": contact.value,
                               "type": "voice", "description": contact.label})
        for n, rule in enumerate(_weekly(unit)):
            schedules.append({"id": hsds_id(f"schedule-{n}", unit.slug),
                              "location_id": location_id, **rule,
                              "notes": NOTE + unit.hours})
        for service in unit.services.all():
            links.append({"id": hsds_id(f"sal-{service.slug}", unit.slug),
                          "service_id": hsds_id("service", service.slug),
                          "location_id": location_id})
    return {
        "organizations": [{
            "id": hsds_id("org", org.slug), "name": org.name_uk, "alternate_name": org.name_en,
            "description": org.description_uk or org.name_uk,
            "organization_identifiers": [{"identifier_type": "misto-kind",
                                          "identifier": org.kind}],
        } for org in orgs],
        "services": [{
            "id": hsds_id("service", s.slug), "name": s.title_uk, "alternate_name": s.title_en,
            "description": s.summary_uk, "url": s.online_url or s.diia_url or None,
            "status": "active", "fees_description": s.cost_uk,
            "application_process": s.term_uk,
            "required_documents": [{"id": hsds_id(f"doc-{n}", s.slug), "document": line}
                                   for n, line in enumerate(s.documents_uk.splitlines())
                                   if line.strip()],
        } for s in services],
        "locations": locations,
        "service_at_locations": links,
        "phones": phones,
        "schedules": schedules,
    }


def _access(unit: Unit) -> list[str]:
    return [name for name, present in (("step-free entrance", unit.step_free),
                                       ("ramp", unit.ramp),
                                       ("accessible toilet", unit.accessible_toilet),
                                       ("hearing loop", unit.hearing_loop)) if present]


def _osm_from_rules(rules: list[dict[str, Any]], path: str, problems: dict[str, str]) -> str:
    """An OSM expression from HSDS weekly rules: each day's spans, days with the same spans
    written together."""
    spans: dict[int, list[str]] = defaultdict(list)
    for n, rule in enumerate(rules):
        where = f"{path}[{n}]"
        if str(rule.get("freq", "WEEKLY")).upper() != "WEEKLY":
            problems[f"{where}.freq"] = _("Only weekly schedules can be imported.")
            continue
        opens, closes = str(rule.get("opens_at") or "")[:5], str(rule.get("closes_at") or "")[:5]
        try:
            time.fromisoformat(opens)
            if closes != "24:00":
                time.fromisoformat(closes)
        except ValueError:
            problems[f"{where}.opens_at"] = _("Times are HH:MM.")
            continue
        for code in str(rule.get("byday") or "").upper().split(","):
            if code.strip() not in DAYS:
                problems[f"{where}.byday"] = _("Days are MO, TU, WE, TH, FR, SA, SU.")
                break
            spans[DAYS.index(code.strip())].append(f"{opens}-{closes}")
    groups: dict[str, list[int]] = defaultdict(list)
    for day in sorted(spans):
        groups[",".join(sorted(spans[day]))].append(day)
    return "; ".join(_day_ranges(days) + " " + text for text, days in groups.items())


def _day_ranges(days: list[int]) -> str:
    """[0, 1, 2, 3, 4, 6] -> "Mo-Fr,Su"."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(OSM_DAYS[run[0]] if len(run) == 1 else
                    f"{OSM_DAYS[run[0]]}{'-' if len(run) > 2 else ','}{OSM_DAYS[run[-1]]}"
                    for run in runs)


def _text(obj: dict[str, Any], key: str, path: str, problems: dict[str, str],
          *, required: bool = False, limit: int = 200) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            problems[f"{path}.{key}"] = _("Required.")
        return ""
    if not isinstance(value, str):
        problems[f"{path}.{key}"] = _("Must be text.")
        return ""
    return value.strip()[:limit]


def check_import(document: Any) -> dict[str, Any]:
    """Everything the import will write, or :class:`DirectoryError` listing every problem."""
    problems: dict[str, str] = {}
    if not isinstance(document, dict):
        raise DirectoryError(DirectoryCode.BAD_HSDS, _("An HSDS file is a JSON object."))
    tables = {}
    for key in ("organizations", "locations", "phones", "schedules", "services",
                "service_at_locations"):
        rows = document.get(key, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            problems[key] = _("Must be a list of objects.")
            rows = []
        tables[key] = rows
    if sum(len(rows) for rows in tables.values()) > MAX_OBJECTS:
        problems["document"] = _("At most %(n)s objects in one file.") % {"n": MAX_OBJECTS}
    orgs = {}
    for n, org in enumerate(tables["organizations"]):
        path = f"organizations[{n}]"
        oid = _text(org, "id", path, problems, required=True, limit=80)
        orgs[oid] = {"name_uk": _text(org, "name", path, problems, required=True),
                     "name_en": _text(org, "alternate_name", path, problems),
                     "description_uk": _text(org, "description", path, problems, limit=4000)}
    phones: dict[str, list[str]] = defaultdict(list)
    for n, phone in enumerate(tables["phones"]):
        path = f"phones[{n}]"
        try:
            phones[str(phone.get("location_id"))].append(
                check_phone(_text(phone, "number", path, problems, required=True)))
        except DirectoryError as error:
            problems[f"{path}.number"] = error.message
    rules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    notes: dict[str, str] = {}
    for rule in tables["schedules"]:
        location = str(rule.get("location_id"))
        note = str(rule.get("notes") or "")
        if note.startswith(NOTE):
            notes.setdefault(location, note[len(NOTE):])
        rules[location].append(rule)
    locations = {}
    for n, loc in enumerate(tables["locations"]):
        path = f"locations[{n}]"
        lid = _text(loc, "id", path, problems, required=True, limit=80)
        org = str(loc.get("organization_id") or "")
        if org not in orgs:
            problems[f"{path}.organization_id"] = _("No organisation with this id in the file.")
        lat, lon = loc.get("latitude"), loc.get("longitude")
        where = None
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            problems[f"{path}.latitude"] = _("A location needs its latitude and longitude.")
        else:
            try:
                where = place(float(lon), float(lat))
            except DirectoryError as error:
                problems[f"{path}.latitude"] = error.message
        try:
            hours = check_hours(notes.get(lid) or _osm_from_rules(
                rules.get(lid, []), f"schedules({lid})", problems))
        except DirectoryError as error:
            problems[f"{path}.schedules"] = error.message
            hours = ""
        locations[lid] = {"org": org, "name_uk": _text(loc, "name", path, problems,
                                                       required=True),
                          "name_en": _text(loc, "alternate_name", path, problems),
                          "where": where, "hours": hours, "phones": phones.get(lid, [])}
    if problems:
        raise DirectoryProblems(DirectoryCode.BAD_HSDS, problems)
    return {"organizations": orgs, "locations": locations}


def _slug(hid: str, kind: str, existing: dict[str, str]) -> str:
    """Our code for an HSDS id: the row an earlier export came from, or one made from the
    other system's id (only the characters a page address may carry)."""
    return existing.get(hid) or f"{kind}-" + re.sub(r"[^a-z0-9-]+", "-", hid.lower())[:70]


@transaction.atomic
def do_import(checked: dict[str, Any], *, department: str) -> tuple[int, int]:
    """Write what :func:`check_import` returned: organisations and units are matched by
    their HSDS id (ours, from an earlier export, or the other system's), never deleted."""
    from misto.directory.models import Contact

    org_ids = {hsds_id("org", slug): slug for slug in
               Organisation.objects.values_list("slug", flat=True)}
    unit_ids = {hsds_id("unit", slug): slug for slug in Unit.objects.values_list("slug",
                                                                                 flat=True)}
    saved_orgs = {}
    for hid, fields in checked["organizations"].items():
        slug = _slug(hid, "org", org_ids)
        org, _created = Organisation.objects.get_or_create(
            slug=slug, defaults={"kind": OrgKind.DEPARTMENT, "department": department,
                                 **fields})
        for key, value in fields.items():
            setattr(org, key, value or getattr(org, key))
        org.save()
        saved_orgs[hid] = org
    for hid, loc in checked["locations"].items():
        where = loc["where"]
        unit, _created = Unit.objects.update_or_create(
            slug=_slug(hid, "unit", unit_ids),
            defaults={"organisation": saved_orgs[loc["org"]], "name_uk": loc["name_uk"],
                      "name_en": loc["name_en"], "lon": where.lon, "lat": where.lat,
                      "address": where.address, "landmark": where.landmark,
                      "district": where.district, "hours": loc["hours"]})
        if loc["phones"]:
            unit.contacts.filter(kind=ContactKind.PHONE).delete()
            Contact.objects.bulk_create([Contact(unit=unit, kind=ContactKind.PHONE, value=p)
                                         for p in loc["phones"]])
    return len(saved_orgs), len(checked["locations"])
