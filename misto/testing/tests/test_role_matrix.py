"""Every role x every state-changing route and staff page x own/other object.

The expectation is the documented table in docs/residents.md (read from the document), plus
the scope rule (a department- or district-bound assignment reaches only objects of its
department/district). Each request runs in its own savepoint and is rolled back, so one
world serves the whole matrix. A second test fails when a route exists that this file does
not classify, so a new route cannot ship without its row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from misto.conftest import ROOT
from misto.core.permissions import ROLES, parse_markdown_table
from misto.residents import rnokpp
from misto.testing import make_staff, world
from misto.testing.world import make_resident

pytestmark = pytest.mark.django_db

DOCUMENTED = parse_markdown_table(Path(ROOT, "docs", "residents.md").read_text("utf-8"))
WEST, EAST = world.WEST_DISTRICT, world.EAST_DISTRICT
REGISTER = "cnap"  # MISTO_REGISTER_DEPARTMENT's default: people belong to it


@dataclass(frozen=True)
class Identity:
    name: str
    role: str | None = None  # None: a resident (or anonymous, or staff without a role)
    department: str = ""
    district: str = ""
    anonymous: bool = False
    is_staff: bool = False


IDENTITIES = [
    Identity("anonymous", anonymous=True),
    Identity("resident"),
    Identity("staff-without-role", is_staff=True),  # the probe's case: is_staff alone
    Identity("clerk-light", "clerk", department="light"),
    Identity("clerk-roads", "clerk", department="roads"),
    Identity("clerk-register-west", "clerk", department=REGISTER, district=WEST),
    Identity("clerk-register-east", "clerk", department=REGISTER, district=EAST),
    *(Identity(role, role, is_staff=role in ("it_admin", "auditor"))
      for role in ROLES if role != "clerk"),
]


@dataclass
class World:
    """The objects the routes act on: ``light``'s and ``roads``' reports, a person in the
    west district, a staff-only twin layer owned by ``light``..."""

    ids: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


Value = Any | Callable[[World], Any]


@dataclass(frozen=True)
class Case:
    """One route sent as every identity. ``scope``: the object's (department, district);
    ``None`` when there is no object (a list, a form, a create)."""

    action: str
    method: str
    path: Value
    data: Value = None
    json: bool = False
    scope: tuple[str, str] | None = None

    def resolve(self, value: Value, built: World) -> Any:
        return value(built) if callable(value) else value


def expected(case: Case, identity: Identity) -> bool:
    if identity.role is None:
        return False
    roles, _owner = DOCUMENTED[case.action]
    if identity.role not in roles:
        return False
    if case.scope is None:
        return True
    department, district = case.scope
    return ((not identity.department or identity.department == department)
            and (not identity.district or identity.district == district))


def area(lon: float = 35.128, lat: float = 47.819) -> dict[str, Any]:
    box = [[lon, lat], [lon + 0.004, lat], [lon + 0.004, lat + 0.003], [lon, lat + 0.003],
           [lon, lat]]
    return {"type": "Polygon", "coordinates": [box]}


LIGHT_REPORT = ("light", WEST)
ROADS_REPORT = ("roads", WEST)
PERSON = (REGISTER, WEST)
LIGHT_LAYER = ("light", "")
PETITION = ("light", "")  # answered by the light department in the matrix's world
APPEAL = ("light", "")  # written to the light department head's reception
DIRECTORY_ENTRY = ("light", "")  # a directory entry kept by the light department
INDICATOR = ("light", "")  # an entered indicator the light department is responsible for
CONSULTATION = ("light", "")  # a poll or hearing organised by the light department
FLEET = ("transport", "")  # the matrix's municipal car belongs to the transport department
BUDGET_PROJECT = ("economy", WEST)  # MISTO_BUDGET_DEPARTMENT's default; a west project
FEATURE = {"geometry": {"type": "Point", "coordinates": [35.131, 47.821]},
           "properties": {"name": "Укриття", "capacity": 10}, "reason": "matrix"}
ANNOUNCEMENT = {"title_uk": "Відключення води", "topics": ["housing"],
                "target": "districts",
                "districts": [WEST], "kind": "announcement"}
RESOLVE = {"status": "resolved", "note": "done"}

CASES: dict[str, Case] = {
    # core
    "core:dead-letters": Case("core.event.view", "get", "/staff/events/"),
    "core:replay": Case("core.event.replay", "post", "/staff/events/replay",
                        lambda w: {"delivery": [w.dead_letter]}),
    "GET /api/core/dead-letters": Case("core.event.view", "get",
                                       "/api/core/dead-letters?limit=10"),
    "POST /api/core/dead-letters/replay": Case(
        "core.event.replay", "post", "/api/core/dead-letters/replay",
        lambda w: {"ids": [w.dead_letter]}, json=True),
    # residents
    "residents:staff-register": Case("residents.person.list", "get", "/cabinet/staff/register/"),
    "residents:staff-register (add)": Case(
        "residents.person.create", "post", "/cabinet/staff/register/",
        {"action": "add", "last_name": "Матрична", "first_name": "Олена",
         "patronymic": "Іванівна", "birth_date": "1990-02-03",
         "rnokpp": rnokpp.make(date(1990, 2, 3), 11, True), "document": "",
         "phone": "050 123 45 68", "email": "olena@example.org",
         "address": "вул. Шевченка, 1", "basis": "заява"}, scope=PERSON),
    "GET /api/residents/people": Case(
        "residents.person.view_personal", "get",
        lambda w: f"/api/residents/people?rnokpp={w.rnokpp}&reason=matrix", scope=PERSON),
    "residents:staff-audit": Case("residents.access_log.audit", "get", "/cabinet/staff/audit/"),
    "residents:staff-decide": Case(
        "residents.correction.approve", "post",
        lambda w: f"/cabinet/staff/corrections/{w.correction}", {"decision": "reject",
                                                                  "reason": "no"},
        scope=PERSON),
    "POST /api/residents/corrections/{request_id}/decision": Case(
        "residents.correction.approve", "post",
        lambda w: f"/api/residents/corrections/{w.correction}/decision",
        {"approve": False, "reason": "no"}, json=True, scope=PERSON),
    # twin
    "twin:labels": Case("twin.label.print", "get", "/map/labels/landmarks.pdf"),
    "GET /api/twin/layers/{code}/features (staff layer)": Case(
        "twin.layer.view", "get", "/api/twin/layers/networks/features"),
    "POST /api/twin/layers/{code}/features": Case(
        "twin.feature.create", "post", "/api/twin/layers/shelters/features", FEATURE,
        json=True, scope=LIGHT_LAYER),
    "PATCH /api/twin/features/{feature_id}": Case(
        "twin.feature.change", "patch", lambda w: f"/api/twin/features/{w.shelter}",
        {**FEATURE, "properties": {"name": "Укриття 2", "capacity": 20}}, json=True,
        scope=LIGHT_LAYER),
    "DELETE /api/twin/features/{feature_id}": Case(
        "twin.feature.delete", "delete", lambda w: f"/api/twin/features/{w.shelter}?reason=x",
        scope=LIGHT_LAYER),
    "twin:shelter-status": Case(
        "twin.shelter.status", "post", lambda w: f"/map/shelters/{w.shelter}/status/",
        {"status": "closed"}, scope=LIGHT_LAYER),
    # ledger
    "POST /api/ledger/heads": Case("ledger.head.issue", "post", "/api/ledger/heads"),
    # iot
    "iot:devices": Case("iot.device.view", "get", "/iot/staff/devices/"),
    "iot:silent": Case("iot.device.view", "get", "/iot/staff/silent/"),
    "GET /api/iot/dead-letters": Case("iot.deadletter.view", "get", "/api/iot/dead-letters"),
    # notifications
    "notifications:compose": Case("notifications.announcement.create", "get",
                                  "/notices/compose/"),
    "notifications:compose (post)": Case(
        "notifications.announcement.create", "post", "/notices/compose/",
        {**ANNOUNCEMENT, "topics": "housing", "districts": WEST}),
    "POST /api/notifications/announcements": Case(
        "notifications.announcement.create", "post", "/api/notifications/announcements",
        ANNOUNCEMENT, json=True),
    "notifications:approve": Case(
        "notifications.announcement.approve", "post",
        lambda w: f"/notices/{w.citywide}/approve/"),
    "POST /api/notifications/announcements/{announcement_id}/approve": Case(
        "notifications.announcement.approve", "post",
        lambda w: f"/api/notifications/announcements/{w.citywide}/approve"),
    "notifications:withdraw": Case(
        "notifications.announcement.change", "post",
        lambda w: f"/notices/{w.published}/withdraw/"),
    "POST /api/notifications/announcements/{announcement_id}/withdraw": Case(
        "notifications.announcement.change", "post",
        lambda w: f"/api/notifications/announcements/{w.published}/withdraw"),
    # reports
    "reports:queue": Case("reports.report.change", "get", "/reports/queue/"),
    "reports:intake": Case("reports.report.create", "get", "/reports/phone/"),
    "reports:act (status, light)": Case(
        "reports.report.change", "post", lambda w: f"/reports/{w.light_report}/act/",
        {"action": "status", "status": "accepted", "note": ""}, scope=LIGHT_REPORT),
    "reports:act (status, roads)": Case(
        "reports.report.change", "post", lambda w: f"/reports/{w.roads_report}/act/",
        {"action": "status", "status": "accepted", "note": ""}, scope=ROADS_REPORT),
    "reports:act (moderate)": Case(
        "reports.report.moderate", "post", lambda w: f"/reports/{w.light_report}/act/",
        {"action": "moderate", "public_description": "Не світить", "hidden": ""}),
    # situation
    "situation:centre": Case("situation.incident.view", "get", "/situation/"),
    "situation:dashboard": Case("situation.incident.view", "get", "/situation/dashboard/"),
    "situation:leadership": Case("situation.incident.view", "get", "/situation/leadership/"),
    "situation:incident": Case("situation.incident.view", "get",
                               lambda w: f"/situation/incidents/{w.incident}/"),
    "situation:assign": Case(
        "situation.incident.dispatch", "post",
        lambda w: f"/situation/incidents/{w.incident}/assign/", {"department": "water"}),
    "situation:status": Case(
        "situation.incident.dispatch", "post",
        lambda w: f"/situation/incidents/{w.incident}/status/", RESOLVE),
    "situation:emergencies": Case("situation.incident.view", "get", "/situation/emergencies/"),
    "situation:emergencies (declare)": Case(
        "situation.emergency.declare", "post", "/situation/emergencies/",
        {"title": "Аварія", "kind": "other", "districts": WEST}),
    "situation:emergency (end)": Case(
        "situation.emergency.end", "post", lambda w: f"/situation/emergencies/{w.emergency}/",
        {"note": "done"}),
    "GET /api/situation/incidents": Case("situation.incident.view", "get",
                                         "/api/situation/incidents?status=open"),
    "GET /api/situation/incidents/{incident_id}": Case(
        "situation.incident.view", "get", lambda w: f"/api/situation/incidents/{w.incident}"),
    **{f"GET /api/situation/{part}": Case("situation.incident.view", "get",
                                          f"/api/situation/{part}")
       for part in ("changes", "crews", "dashboard", "devices", "emergencies", "kinds",
                    "outages")},
    "GET /api/situation/emergencies/{emergency_id}/walks": Case(
        "situation.incident.view", "get",
        lambda w: f"/api/situation/emergencies/{w.emergency}/walks?lon=35.13&lat=47.8202"),
    "GET /api/situation/emergencies/{emergency_id}": Case(
        "situation.incident.view", "get", lambda w: f"/api/situation/emergencies/{w.emergency}"),
    "situation:stream": Case("situation.incident.view", "get", "/situation/stream/"),
    "POST /api/situation/incidents/{incident_id}/assign": Case(
        "situation.incident.dispatch", "post",
        lambda w: f"/api/situation/incidents/{w.incident}/assign", {"department": "water"},
        json=True),
    "POST /api/situation/incidents/{incident_id}/status": Case(
        "situation.incident.dispatch", "post",
        lambda w: f"/api/situation/incidents/{w.incident}/status", RESOLVE, json=True),
    "POST /api/situation/emergencies": Case(
        "situation.emergency.declare", "post", "/api/situation/emergencies",
        {"title": "Аварія", "kind": "other", "districts": [WEST]}, json=True),
    "POST /api/situation/emergencies/{emergency_id}/end": Case(
        "situation.emergency.end", "post",
        lambda w: f"/api/situation/emergencies/{w.emergency}/end"),
    # appeals
    "appeals:queue": Case("appeals.appeal.view", "get", "/appeals/queue/"),
    "GET /api/appeals/queue": Case("appeals.appeal.view", "get", "/api/appeals/queue"),
    "appeals:register": Case("appeals.appeal.register", "get", "/appeals/register/"),
    "POST /api/appeals/registrations": Case(
        "appeals.appeal.register", "post", "/api/appeals/registrations",
        {"reception": "light-head", "kind": "application", "subject": "Ліхтар не світить",
         "text": "Дзвінок: на вулиці Шевченка третій тиждень не світить ліхтар.",
         "channel": "phone", "contact": "Іван Петренко, вул. Шевченка, 3"}, json=True),
    "appeals:stats": Case("appeals.stats.view", "get", "/appeals/stats/"),
    "GET /api/appeals/stats": Case("appeals.stats.view", "get", "/api/appeals/stats"),
    "appeals:act (answer)": Case(
        "appeals.appeal.handle", "post", lambda w: f"/appeals/{w.appeal}/act/",
        {"step": "answer", "text": "Ліхтар замінено 5 грудня; дякуємо за звернення."},
        scope=APPEAL),
    "POST /api/appeals/{number}/assignment": Case(
        "appeals.appeal.handle", "post", lambda w: f"/api/appeals/{w.appeal}/assignment",
        {"executor": "world-light-clerk", "term_days": 15}, json=True, scope=APPEAL),
    "POST /api/appeals/{number}/information-requests": Case(
        "appeals.appeal.handle", "post",
        lambda w: f"/api/appeals/{w.appeal}/information-requests",
        {"text": "Уточніть, будь ласка, номер опори."}, json=True, scope=APPEAL),
    "POST /api/appeals/{number}/extension": Case(
        "appeals.appeal.handle", "post", lambda w: f"/api/appeals/{w.appeal}/extension",
        {"total_days": 45, "reason": "Потрібне обстеження мережі"}, json=True, scope=APPEAL),
    "POST /api/appeals/{number}/answer": Case(
        "appeals.appeal.handle", "post", lambda w: f"/api/appeals/{w.appeal}/answer",
        {"text": "Ліхтар замінено 5 грудня; дякуємо за звернення."}, json=True, scope=APPEAL),
    # petitions
    "petitions:moderation": Case("petitions.petition.moderate", "get", "/petitions/moderation/"),
    "petitions:moderate": Case(
        "petitions.petition.moderate", "post",
        lambda w: f"/petitions/moderation/{w.petition_in_moderation}/", {"decision": "open"}),
    "GET /api/petitions/moderation": Case("petitions.petition.moderate", "get",
                                          "/api/petitions/moderation"),
    "POST /api/petitions/moderation/{petition_id}/open": Case(
        "petitions.petition.moderate", "post",
        lambda w: f"/api/petitions/moderation/{w.petition_in_moderation}/open"),
    "POST /api/petitions/moderation/{petition_id}/reject": Case(
        "petitions.petition.moderate", "post",
        lambda w: f"/api/petitions/moderation/{w.petition_in_moderation}/reject",
        {"rule": "R1", "note": "matrix"}, json=True),
    "petitions:answering": Case("petitions.petition.answer", "get", "/petitions/answering/"),
    "GET /api/petitions/answering": Case("petitions.petition.answer", "get",
                                         "/api/petitions/answering"),
    "petitions:answer": Case("petitions.petition.answer", "get",
                             lambda w: f"/petitions/{w.petition_number}/answer/",
                             scope=PETITION),
    "petitions:answer (post)": Case(
        "petitions.petition.answer", "post", lambda w: f"/petitions/{w.petition_number}/answer/",
        {"text": "Офіційна відповідь: світлофор встановлять у березні."}, scope=PETITION),
    "POST /api/petitions/{number}/answer": Case(
        "petitions.petition.answer", "post",
        lambda w: f"/api/petitions/{w.petition_number}/answer",
        {"text": "Офіційна відповідь: світлофор встановлять у березні."}, scope=PETITION),
    "petitions:activity": Case("petitions.petition.view", "get",
                               lambda w: f"/petitions/{w.petition_number}/activity/",
                               scope=PETITION),
    "GET /api/petitions/{number}/activity": Case(
        "petitions.petition.view", "get",
        lambda w: f"/api/petitions/{w.petition_number}/activity", scope=PETITION),
    "petitions:activity (annul)": Case(
        "petitions.signature.annul", "post", lambda w: f"/petitions/{w.petition_number}/activity/",
        lambda w: {"signers": w.petition_signer, "reason": "Рішення суду"}),
    "POST /api/petitions/{number}/annulments": Case(
        "petitions.signature.annul", "post",
        lambda w: f"/api/petitions/{w.petition_number}/annulments",
        lambda w: {"signers": [w.petition_signer], "reason": "Рішення суду"}, json=True),
    # opendata
    "opendata:describe": Case("opendata.dataset.describe", "get",
                              lambda w: f"/opendata/{w.dataset}/describe/"),
    "opendata:describe (post)": Case("opendata.dataset.describe", "post",
                                     lambda w: f"/opendata/{w.dataset}/describe/",
                                     {"description": "Опис"}),
    "opendata:withdraw": Case("opendata.dataset.withdraw", "post",
                              lambda w: f"/opendata/{w.dataset}/withdraw/",
                              {"reason": "Замінено іншим набором"}),
    # index (the entered indicator belongs to the light department in the matrix's world)
    "index:staff": Case("index.report.generate", "get", "/index/staff/"),
    "index:staff_value": Case(
        "index.value.enter", "post", "/index/staff/value/",
        lambda w: {"code": "MATRIX-1", "period": str(w.index_year), "value": "50",
                   "source": "Звіт"}, scope=INDICATOR),
    "index:staff_target": Case(
        "index.target.set", "post", "/index/staff/target/",
        lambda w: {"code": "MATRIX-1", "year": str(w.index_year), "value": "60"},
        scope=INDICATOR),
    "index:staff_import": Case(
        "index.value.import", "post", "/index/staff/import/",
        lambda w: {"file": _index_file(w)}),
    "index:staff_report": Case("index.report.generate", "post", "/index/staff/report/",
                               lambda w: {"year": str(w.index_year)}),
    "POST /api/index/values": Case(
        "index.value.enter", "post", "/api/index/values",
        lambda w: {"code": "MATRIX-1", "period": str(w.index_year), "value": 50,
                   "source": "Звіт"}, json=True, scope=INDICATOR),
    "POST /api/index/targets": Case(
        "index.target.set", "post", "/api/index/targets",
        lambda w: {"code": "MATRIX-1", "year": w.index_year, "value": 60}, json=True,
        scope=INDICATOR),
    "POST /api/index/imports": Case("index.value.import", "post", "/api/index/imports",
                                    lambda w: {"file": _index_file(w)}),
    "POST /api/index/reports": Case("index.report.generate", "post", "/api/index/reports",
                                    lambda w: {"year": w.index_year}, json=True),
    "POST /api/index/compute": Case("index.value.compute", "post", "/api/index/compute",
                                    lambda w: {"period": str(w.index_year),
                                               "by_district": False}, json=True),
    # directory (the entry is kept by the light department in the matrix's world)
    "directory:corrections": Case("directory.correction.view", "get",
                                  "/directory/staff/corrections/"),
    "directory:resolve": Case(
        "directory.entry.edit", "post",
        lambda w: f"/directory/staff/corrections/{w.directory_correction}/", {"fixed": "1"},
        scope=DIRECTORY_ENTRY),
    "directory:staff-places": Case("directory.entry.edit", "get", "/directory/staff/places/"),
    "directory:edit": Case("directory.entry.edit", "get", "/directory/staff/places/light-office/",
                           scope=DIRECTORY_ENTRY),
    "directory:edit (post)": Case(
        "directory.entry.edit", "post", "/directory/staff/places/light-office/",
        {"step": "hours", "hours": "Mo-Fr 08:00-17:00", "closed_on_days_off": "1"},
        scope=DIRECTORY_ENTRY),
    "PUT /api/directory/places/{slug}/hours": Case(
        "directory.entry.edit", "put", "/api/directory/places/light-office/hours",
        {"opening_hours": "Mo-Fr 08:00-17:00"}, json=True, scope=DIRECTORY_ENTRY),
    "POST /api/directory/places/{slug}/closures": Case(
        "directory.entry.edit", "post", "/api/directory/places/light-office/closures",
        {"start": "2030-01-01", "end": "2030-01-02", "reason_uk": "Ремонт"}, json=True,
        scope=DIRECTORY_ENTRY),
    "DELETE /api/directory/places/{slug}/closures/{closure_id}": Case(
        "directory.entry.edit", "delete",
        lambda w: f"/api/directory/places/light-office/closures/{w.directory_closure}",
        scope=DIRECTORY_ENTRY),
    "PUT /api/directory/places/{slug}/contacts": Case(
        "directory.entry.edit", "put", "/api/directory/places/light-office/contacts",
        {"contacts": [{"kind": "phone", "value": "061 222 33 44"}]}, json=True,
        scope=DIRECTORY_ENTRY),
    "PUT /api/directory/places/{slug}/location": Case(
        "directory.entry.edit", "put", "/api/directory/places/light-office/location",
        {"lon": world.ON_SHEVCHENKA[0], "lat": world.ON_SHEVCHENKA[1]}, json=True,
        scope=DIRECTORY_ENTRY),
    "POST /api/directory/places/{slug}/photos": Case(
        "directory.entry.edit", "post", "/api/directory/places/light-office/photos",
        lambda w: {"caption_uk": "Вхід", "photo": _photo()}, scope=DIRECTORY_ENTRY),
    "DELETE /api/directory/places/{slug}/photos/{photo_id}": Case(
        "directory.entry.edit", "delete",
        lambda w: f"/api/directory/places/light-office/photos/{w.directory_photo}",
        scope=DIRECTORY_ENTRY),
    "directory:staff-partners": Case("directory.apiclient.manage", "get",
                                     "/directory/staff/partners/"),
    "directory:staff-partners (post)": Case(
        "directory.apiclient.manage", "post", "/directory/staff/partners/",
        {"step": "issue", "partner": "light-partner", "name": "CRM 2"}, scope=DIRECTORY_ENTRY),
    "GET /api/directory/partners/{slug}/api-clients": Case(
        "directory.apiclient.manage", "get", "/api/directory/partners/light-partner/api-clients",
        scope=DIRECTORY_ENTRY),
    "POST /api/directory/partners/{slug}/api-clients": Case(
        "directory.apiclient.manage", "post",
        "/api/directory/partners/light-partner/api-clients", {"name": "Партнерська CRM"},
        json=True, scope=DIRECTORY_ENTRY),
    "DELETE /api/directory/api-clients/{client_id}": Case(
        "directory.apiclient.manage", "delete",
        lambda w: f"/api/directory/api-clients/{w.directory_api_client}",
        scope=DIRECTORY_ENTRY),
    "GET /api/directory/corrections": Case("directory.correction.view", "get",
                                           "/api/directory/corrections"),
    "POST /api/directory/corrections/{correction_id}/resolution": Case(
        "directory.entry.edit", "post",
        lambda w: f"/api/directory/corrections/{w.directory_correction}/resolution",
        {"fixed": True}, json=True, scope=DIRECTORY_ENTRY),
    "POST /api/directory/hsds": Case("directory.hsds.import", "post", "/api/directory/hsds",
                                     {"organizations": [], "locations": []}, json=True),
    # transit
    "transit:dispatch": Case("transit.dispatch.view", "get", "/transit/dispatch/"),
    "GET /api/transit/dispatch/routes": Case("transit.dispatch.view", "get",
                                             "/api/transit/dispatch/routes"),
    "GET /api/transit/dispatch/dead-fixes": Case("transit.dispatch.view", "get",
                                                 "/api/transit/dispatch/dead-fixes"),
    "POST /api/transit/alerts": Case("transit.alert.manage", "post", "/api/transit/alerts",
                                     {"header": "Об'їзд", "effect": "DETOUR"}, json=True),
    "POST /api/transit/alerts/{alert_id}/end": Case(
        "transit.alert.manage", "post", lambda w: f"/api/transit/alerts/{w.transit_alert}/end"),
    "POST /api/transit/feeds": Case("transit.feed.import", "post", "/api/transit/feeds",
                                    lambda w: {"file": _gtfs_upload()}),
    "POST /api/transit/trackers": Case("transit.vehicle.manage", "post", "/api/transit/trackers",
                                       {"code": "bus-matrix", "seats": 20}, json=True),
    "POST /api/transit/devices": Case("transit.vehicle.manage", "post", "/api/transit/devices",
                                      {"vehicle": "bus-matrix-1", "kind": "validator",
                                       "code": "val-matrix"}, json=True),
    # fleet
    "fleet:dispatch": Case("fleet.vehicle.view", "get", "/fleet/"),
    "fleet:vehicle": Case("fleet.vehicle.view", "get",
                          lambda w: f"/fleet/vehicles/{w.fleet_vehicle}/", scope=FLEET),
    "fleet:vehicle (fill)": Case(
        "fleet.waybill.fill", "post",
        lambda w: f"/fleet/vehicles/{w.fleet_vehicle}/?day={w.fleet_day}",
        lambda w: {"driver": w.fleet_driver}, scope=FLEET),
    "fleet:waybill": Case("fleet.vehicle.view", "get",
                          lambda w: f"/fleet/waybills/{w.fleet_waybill}/", scope=FLEET),
    "fleet:waybill-pdf": Case("fleet.vehicle.view", "get",
                              lambda w: f"/fleet/waybills/{w.fleet_waybill}.pdf", scope=FLEET),
    "fleet:waybill-approve": Case("fleet.waybill.approve", "post",
                                  lambda w: f"/fleet/waybills/{w.fleet_waybill}/approve",
                                  scope=FLEET),
    "GET /api/fleet/vehicles": Case("fleet.vehicle.view", "get", "/api/fleet/vehicles"),
    "POST /api/fleet/vehicles": Case("fleet.vehicle.manage", "post", "/api/fleet/vehicles",
                                     {"plate": "AP9999KM", "tank_l": 50,
                                      "norm_l_per_100km": 8}, json=True),
    "GET /api/fleet/vehicles/{vehicle_id}/day": Case(
        "fleet.vehicle.view", "get", lambda w: f"/api/fleet/vehicles/{w.fleet_vehicle}/day",
        scope=FLEET),
    "GET /api/fleet/waybills": Case("fleet.vehicle.view", "get", "/api/fleet/waybills"),
    "POST /api/fleet/waybills": Case(
        "fleet.waybill.fill", "post", "/api/fleet/waybills",
        lambda w: {"vehicle_id": w.fleet_vehicle, "day": w.fleet_day,
                   "driver_id": w.fleet_driver}, json=True, scope=FLEET),
    "POST /api/fleet/waybills/{waybill_id}/approve": Case(
        "fleet.waybill.approve", "post",
        lambda w: f"/api/fleet/waybills/{w.fleet_waybill}/approve", scope=FLEET),
    # budget
    "budget:review": Case("budget.project.review", "get", "/budget/review/"),
    "budget:review-project": Case(
        "budget.project.review", "post", lambda w: f"/budget/review/{w.budget_project}/",
        {"decision": "approve", "reason": "Реалізовно."}, scope=BUDGET_PROJECT),
    "GET /api/budget/review": Case("budget.project.review", "get", "/api/budget/review"),
    "POST /api/budget/projects/{project_id}/review": Case(
        "budget.project.review", "post",
        lambda w: f"/api/budget/projects/{w.budget_project}/review",
        {"approve": True, "reason": "Реалізовно."}, json=True, scope=BUDGET_PROJECT),
    "budget:progress": Case(
        "budget.project.implement", "post",
        lambda w: f"/budget/projects/{w.budget_project}/progress/",
        {"stage": "works", "spent": "1000", "note": "Почато"}, scope=BUDGET_PROJECT),
    "POST /api/budget/projects/{project_id}/progress": Case(
        "budget.project.implement", "post",
        lambda w: f"/api/budget/projects/{w.budget_project}/progress",
        {"stage": "works", "spent": 1000, "note": "Почато"}, json=True, scope=BUDGET_PROJECT),
    "budget:phase": Case("budget.round.manage", "post",
                         lambda w: f"/budget/{w.budget_round}/phase/", {"phase": "review"}),
    "POST /api/budget/rounds/{number}/phase": Case(
        "budget.round.manage", "post", lambda w: f"/api/budget/rounds/{w.budget_round}/phase",
        {"phase": "review"}, json=True),
    # consultations
    "consultations:staff": Case("consultations.poll.manage", "get", "/consultations/staff/"),
    "consultations:create-poll": Case(
        "consultations.poll.manage", "post", "/consultations/staff/polls/",
        {"title_uk": "Питання", "options": "Так\nНі", "closes_at": "2099-01-01T10:00"}),
    "POST /api/consultations/polls": Case(
        "consultations.poll.manage", "post", "/api/consultations/polls",
        {"title_uk": "Питання", "options": [{"text_uk": "Так"}, {"text_uk": "Ні"}],
         "closes_at": "2099-01-01T10:00:00Z"}, json=True),
    "consultations:poll-state": Case(
        "consultations.poll.manage", "post",
        lambda w: f"/consultations/staff/polls/{w.open_poll}/", {"action": "close"},
        scope=CONSULTATION),
    "POST /api/consultations/polls/{poll_id}/publish": Case(
        "consultations.poll.manage", "post",
        lambda w: f"/api/consultations/polls/{w.draft_poll}/publish", scope=CONSULTATION),
    "POST /api/consultations/polls/{poll_id}/close": Case(
        "consultations.poll.manage", "post",
        lambda w: f"/api/consultations/polls/{w.open_poll}/close", scope=CONSULTATION),
    "consultations:create-hearing": Case(
        "consultations.hearing.manage", "post", "/consultations/staff/hearings/",
        {"title_uk": "Слухання", "closes_at": "2099-01-01T10:00"}),
    "POST /api/consultations/hearings": Case(
        "consultations.hearing.manage", "post", "/api/consultations/hearings",
        {"title_uk": "Слухання", "closes_at": "2099-01-01T10:00:00Z"}, json=True),
    "consultations:hearing-state": Case(
        "consultations.hearing.manage", "post",
        lambda w: f"/consultations/staff/hearings/{w.open_hearing}/", {"action": "close"},
        scope=CONSULTATION),
    "POST /api/consultations/hearings/{hearing_id}/publish": Case(
        "consultations.hearing.manage", "post",
        lambda w: f"/api/consultations/hearings/{w.draft_hearing}/publish",
        scope=CONSULTATION),
    "POST /api/consultations/hearings/{hearing_id}/close": Case(
        "consultations.hearing.manage", "post",
        lambda w: f"/api/consultations/hearings/{w.open_hearing}/close", scope=CONSULTATION),
    "POST /api/consultations/hearings/{hearing_id}/report": Case(
        "consultations.hearing.manage", "post",
        lambda w: f"/api/consultations/hearings/{w.closed_hearing}/report",
        {"report_uk": "Звіт"}, json=True, scope=CONSULTATION),
    "consultations:hide": Case(
        "consultations.comment.moderate", "post",
        lambda w: f"/consultations/staff/comments/{w.hearing_comment}/hide/",
        {"rule": "spam"}, scope=CONSULTATION),
    "POST /api/consultations/comments/{comment_id}/hide": Case(
        "consultations.comment.moderate", "post",
        lambda w: f"/api/consultations/comments/{w.hearing_comment}/hide", {"rule": "spam"},
        json=True, scope=CONSULTATION),
    # wallet
    "GET /api/wallet/accounts/{account_id}": Case(
        "wallet.account.view", "get", lambda w: f"/api/wallet/accounts/{w.wallet_account}"),
    "POST /api/wallet/accounts/{account_id}/corrections": Case(
        "wallet.account.correct", "post",
        lambda w: f"/api/wallet/accounts/{w.wallet_account}/corrections",
        {"amount_kop": 100, "reason": "повернення"}, json=True),
    "wallet:staff-validators": Case("wallet.validator.manage", "get",
                                    "/wallet/staff/validators/"),
    "POST /api/wallet/validators": Case("wallet.validator.manage", "post",
                                        "/api/wallet/validators", {"code": "bus-9"}, json=True),
    "GET /api/wallet/corrections": Case("wallet.correction.approve", "get",
                                        "/api/wallet/corrections"),
    "POST /api/wallet/corrections/{request_id}/approve": Case(
        "wallet.correction.approve", "post",
        lambda w: f"/api/wallet/corrections/{w.wallet_correction}/approve", {}, json=True),
    "POST /api/wallet/corrections/{request_id}/reject": Case(
        "wallet.correction.approve", "post",
        lambda w: f"/api/wallet/corrections/{w.wallet_correction}/reject", {"note": "ні"},
        json=True),
    "wallet:staff-corrections": Case("wallet.account.correct", "get",
                                     "/wallet/staff/corrections/"),
    "wallet:staff-corrections (request)": Case(
        "wallet.account.correct", "post", "/wallet/staff/corrections/",
        lambda w: {"action": "request", "account": w.wallet_account, "amount": "1",
                   "reason": "повернення"}),
    "wallet:staff-corrections (approve)": Case(
        "wallet.correction.approve", "post", "/wallet/staff/corrections/",
        lambda w: {"action": "approve", "request": w.wallet_correction}),
    "POST /api/wallet/desk/cards": Case("wallet.card.sell", "post", "/api/wallet/desk/cards",
                                        {"cash_kop": 1000}, json=True),
    "POST /api/wallet/desk/topups": Case(
        "wallet.card.sell", "post", "/api/wallet/desk/topups",
        lambda w: {"card": w.wallet_anonymous_card, "amount_kop": 500,
                   "request_id": "matrix-cash"}, json=True),
    "wallet:staff-desk": Case("wallet.card.sell", "get", "/wallet/staff/desk/"),
    "wallet:staff-desk (sell)": Case("wallet.card.sell", "post", "/wallet/staff/desk/",
                                     {"action": "sell", "cash": "10"}),
    "wallet:staff-reconciliation": Case("wallet.reconciliation.run", "get",
                                        "/wallet/staff/reconciliation/"),
    "wallet:staff-reconciliation (import)": Case(
        "wallet.reconciliation.run", "post", "/wallet/staff/reconciliation/",
        {"provider": "demo", "day": "2026-01-01", "text": '{"result": "success", "data": []}'}),
    "wallet:staff-reconciliation-detail": Case(
        "wallet.reconciliation.run", "get",
        lambda w: f"/wallet/staff/reconciliation/{w.wallet_reconciliation}/"),
    # parking
    "parking:staff-stats": Case("parking.stats.view", "get", "/parking/staff/stats/"),
    "GET /api/parking/stats": Case("parking.stats.view", "get", "/api/parking/stats"),
    "POST /api/parking/check": Case(
        "parking.enforcement.check", "post", "/api/parking/check",
        {"registration_number": "AA1234BB",
         "location": {"type": "Point", "coordinates": [35.13, 47.82]}}, json=True),
    "parking:inspect": Case("parking.enforcement.check", "post", "/parking/inspect/",
                            {"plate": "AA1234BB", "lon": "35.13", "lat": "47.82"}),
    "parking:inspect (page)": Case("parking.enforcement.check", "get", "/parking/inspect/"),
    "parking:staff-inspectors": Case("parking.inspector.manage", "post",
                                     "/parking/staff/inspectors/",
                                     {"username": "nobody", "district": ""}),
    "parking:staff-inspectors (page)": Case("parking.inspector.manage", "get",
                                            "/parking/staff/inspectors/"),
    "parking:staff-inspector-remove": Case("parking.inspector.manage", "post",
                                           "/parking/staff/inspectors/999999/remove/"),
}


def _gtfs_upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from misto.transit.demo import gtfs_zip
    from misto.transit.tests.conftest import files
    return SimpleUploadedFile("feed.zip", gtfs_zip(files()), content_type="application/zip")



def _why(reason: str, *routes: str) -> dict[str, str]:
    return dict.fromkeys(routes, reason)


# Routes that are not role-gated, each with the reason; the classification test below
# fails for a route in neither table.
NOT_ROLE_GATED: dict[str, str] = {
    **_why("public read: the City Progress Index, its indicators, values with their lineage, "
           "coverage and the yearly reports (figures only, nothing personal)",
           "index:home", "index:theme", "index:catalogue", "index:indicator",
           "index:download", "index:lineage", "index:coverage", "index:reports",
           "index:report_file", "index:all_values", "index:all_values_sdmx",
           "GET /api/index/indicators",
           "GET /api/index/indicators/{code}", "GET /api/index/indicators/{code}/values",
           "GET /api/index/composite", "GET /api/index/coverage", "GET /api/index/reports"),
    **_why("public read: budget rounds, projects (rejected ones with the reason) and their "
           "photos, the district keys, the ballots as the ledger holds them, results, the "
           "recount and Pabulib files",
           "budget:index", "budget:round", "budget:project", "budget:ballot", "budget:recount",
           "GET /api/budget/rounds", "GET /api/budget/rounds/{number}",
           "GET /api/budget/rounds/{number}/projects", "GET /api/budget/projects/{project_id}",
           "GET /api/budget/rounds/{number}/keys", "GET /api/budget/rounds/{number}/ballots",
           "GET /api/budget/ballots/{receipt}", "GET /api/budget/rounds/{number}/results",
           "GET /api/budget/rounds/{number}/recount", "budget:pabulib", "budget:photo"),
    **_why("a secret ballot is cast without a sign-in on purpose: the blind-signed token is the "
           "right to vote, a session would name the voter (misto/budget/tests/test_voting.py)",
           "POST /api/budget/rounds/{number}/ballots"),
    **_why("a signed-in resident's own proposals, voting token and vote; who may propose and "
           "vote is decided by the register, not a role (tested in misto/budget/tests)",
           "budget:propose", "budget:vote", "budget:answer", "GET /api/budget/mine",
           "POST /api/budget/projects/{project_id}/answer",
           "POST /api/budget/rounds/{number}/proposals", "POST /api/budget/rounds/{number}/token"),
    **_why("public read: polls (results once public), their keys, the ballots as the ledger "
           "holds them, the recount, receipts, consultations with documents and comments",
           "consultations:index", "consultations:poll", "consultations:ballot",
           "consultations:ballots", "consultations:hearing", "GET /api/consultations/polls",
           "GET /api/consultations/polls/{poll_id}", "GET /api/consultations/polls/{poll_id}/keys",
           "GET /api/consultations/polls/{poll_id}/ballots",
           "GET /api/consultations/ballots/{receipt}",
           "GET /api/consultations/polls/{poll_id}/results",
           "GET /api/consultations/polls/{poll_id}/recount", "GET /api/consultations/hearings",
           "GET /api/consultations/hearings/{hearing_id}"),
    **_why("a poll's secret ballot is cast without a sign-in on purpose: the blind-signed token "
           "is the right to vote (misto/consultations/tests/test_voting.py)",
           "POST /api/consultations/polls/{poll_id}/ballots"),
    **_why("a signed-in resident's voting token, vote and comments; who may take part is "
           "decided by the register, not a role (tested in misto/consultations/tests)",
           "consultations:vote", "consultations:comment",
           "POST /api/consultations/polls/{poll_id}/token",
           "POST /api/consultations/hearings/{hearing_id}/comments"),
    **_why("public read: the open-data portal, its files, CKAN's read-only Action API and the "
           "DCAT-AP catalogue (published data only, nothing personal)",
           "opendata:index", "opendata:detail", "opendata:download",
           "opendata-api:ckan-action", "opendata-api:ckan-action-short",
           "opendata-api:catalog"),
    **_why("public read: open data, maps, feeds, the public ledger (no personal data)",
           "core:home", "core:healthz", "core:readyz", "set_language", "twin:map",
           "core:manifest", "core:offline", "core:service-worker", "core:favicon",
           "twin:shelters",
           "GET /api/twin/districts", "GET /api/twin/features/{feature_id}",
           "GET /api/twin/features/{feature_id}/history", "GET /api/twin/landmarks/{number}",
           "GET /api/twin/layers", "GET /api/twin/layers/{code}", "GET /api/twin/locate",
           "GET /api/twin/route", "GET /api/twin/search", "GET /api/twin/tiles/{z}/{x}/{y}.mvt",
           "ledger:index", "ledger:verify", "ledger:entry", "ledger:export-entries",
           "ledger:export-heads", "ledger:export-keys", "ledger:export-verifier",
           "GET /api/ledger/entries", "GET /api/ledger/entries/{index}",
           "GET /api/ledger/heads", "GET /api/ledger/heads/latest", "GET /api/ledger/keys",
           "GET /api/ledger/proofs/consistency", "GET /api/ledger/proofs/inclusion",
           "iot:sensors", "iot:device", "iot:stream", "ngsi:entities", "ngsi:entity",
           "ngsi:temporal", "GET /api/iot/devices", "GET /api/iot/devices/{uid}",
           "GET /api/iot/devices/{uid}/aggregates", "GET /api/iot/devices/{uid}/history",
           "notifications:index", "notifications:detail", "notifications:emergency",
           "notifications:feed_atom", "notifications:feed_json", "notifications:outages_geojson",
           "notifications:service_worker", "GET /api/notifications/announcements",
           "GET /api/notifications/announcements/{announcement_id}",
           "GET /api/notifications/outages", "GET /api/notifications/topics",
           "GET /api/notifications/push/key", "reports:map", "reports:detail",
           "reports:attributes", "reports:nearby", "GET /api/reports/categories",
           "GET /api/reports/nearby", "GET /api/reports/reports",
           "GET /api/reports/reports/{public_id}", "open311:discovery", "open311:services",
           "open311:service", "open311:requests", "open311:request", "open311:token",
           "residents:extract-check-form", "residents:extract-check",
           "GET /api/residents/extracts/{code}", "POST /api/residents/extracts/{code}/verify",
           "sample_module:index", "POST /api/sample/things"),
    **_why("public read: petitions, their counts, signer lists (as Art. 23-1 requires) and "
           "recounts", "petitions:index", "petitions:rules", "petitions:detail",
           "petitions:recount", "petitions:signers", "petitions:count", "GET /api/petitions/",
           "GET /api/petitions/rules", "GET /api/petitions/{number}",
           "GET /api/petitions/{number}/recount", "GET /api/petitions/{number}/signers",
           "GET /api/petitions/{number}/ledger"),
    **_why("public read: fares, caps, benefit discounts, passes on sale, and the public keys "
           "validators check ride tokens with", "wallet:fares", "GET /api/wallet/fares",
           "GET /api/wallet/keys"),
    **_why("a signed-in resident's own wallet (an account is the register person's; another's "
           "top-up is a 404; tested in misto/wallet/tests)", "wallet:home", "wallet:topup",
           "wallet:demo-pay", "wallet:passes", "wallet:ticket", "wallet:cards",
           "GET /api/wallet/account", "GET /api/wallet/account/cards",
           "POST /api/wallet/account/cards", "POST /api/wallet/account/cards/{card_id}/block",
           "POST /api/wallet/account/cards/{card_id}/replace",
           "GET /api/wallet/account/history", "GET /api/wallet/account/passes",
           "POST /api/wallet/account/topups", "POST /api/wallet/account/passes",
           "POST /api/wallet/account/tokens", "POST /api/wallet/account/cards/register",
           "wallet:receipt", "GET /api/wallet/account/history/{transfer_id}/receipt"),
    **_why("anyone may pay money onto a city card by its number (through the payment "
           "provider; the answer shows nothing about the card; tested in misto/wallet/tests)",
           "wallet:card-topup", "POST /api/wallet/cards/topups"),
    **_why("machines: a payment provider's signed callback (a forged one changes nothing), a "
           "validator's own key (tested in misto/wallet/tests)",
           "POST /api/wallet/providers/{provider}/callback",
           "POST /api/wallet/providers/{provider}/form-callback",
           "POST /api/wallet/validators/taps", "GET /api/wallet/validators/deny-list"),
    **_why("public read: parking lots, their free places now, zones and tariffs (counts, "
           "nothing personal)", "parking:map", "GET /api/parking/lots",
           "GET /api/parking/lots.geojson", "GET /api/parking/lots/near",
           "GET /api/parking/zones"),
    **_why("a signed-in driver's own sessions, bookings and permits (another's session or "
           "booking is a 404; tested in misto/parking/tests)", "parking:start", "parking:sessions",
           "parking:session", "parking:stop", "parking:pay", "GET /api/parking/sessions",
           "POST /api/parking/sessions", "POST /api/parking/sessions/{session_id}/stop",
           "POST /api/parking/sessions/{session_id}/pay", "GET /api/parking/bookings",
           "POST /api/parking/bookings", "GET /api/parking/permits",
           "POST /api/parking/permits", "parking:book", "parking:bookings",
           "parking:cancel-booking", "parking:permits",
           "POST /api/parking/bookings/{booking_id}/cancel"),
    **_why("public read: the directory of receptions", "appeals:index",
           "GET /api/appeals/receptions"),
    **_why("public read: the city directory, its e-services, partners and HSDS open data",
           "directory:index", "directory:services", "directory:partners", "directory:place",
           "GET /api/directory/places", "GET /api/directory/places/{slug}",
           "GET /api/directory/services", "GET /api/directory/partners",
           "GET /api/directory/hsds.json", "GET /api/directory/shelters/nearest"),
    **_why("machines: a partner's API key, for that partner's own places only (tested in "
           "misto/directory/tests/test_partner_keys.py)", "GET /api/directory/partner/places",
           "PUT /api/directory/partner/places/{slug}/hours",
           "POST /api/directory/partner/places/{slug}/closures",
           "DELETE /api/directory/partner/places/{slug}/closures/{closure_id}"),
    **_why("a photo of a shown directory entry is public like the entry (metadata stripped; "
           "tested in misto/directory/tests/test_photos.py)", "directory:photo"),
    **_why("anyone may say an entry is wrong (rate-limited; nothing changes until the "
           "maintaining department acts; tested in misto/directory/tests)",
           "directory:report", "POST /api/directory/places/{slug}/corrections"),
    **_why("a signed-in resident's own appeals and their threads; staff read them by "
           "appeals.appeal.view in the handling department (tested in misto/appeals/tests)",
           "appeals:write", "appeals:mine", "appeals:detail", "appeals:act",
           "GET /api/appeals/mine", "POST /api/appeals/", "GET /api/appeals/{number}",
           "POST /api/appeals/{number}/replies", "POST /api/appeals/{number}/attachments"),
    **_why("a signed-in resident's own petitions and signature; who may sign is decided by "
           "the register, not a role (tested in misto/petitions/tests)",
           "petitions:draft", "petitions:edit", "petitions:mine", "petitions:sign",
           "GET /api/petitions/mine", "POST /api/petitions/drafts",
           "PUT /api/petitions/drafts/{petition_id}",
           "POST /api/petitions/drafts/{petition_id}/submit",
           "GET /api/petitions/{number}/signature", "POST /api/petitions/{number}/signature",
           "DELETE /api/petitions/{number}/signature"),
    **_why("anyone may report (rate-limited; Open311 POST needs an API key)",
           "reports:submit"),
    **_why("an anonymous reporter confirms the address left for updates: only in the browser "
           "that reported, with the code sent there (rate-limited; tested in "
           "misto/reports/tests/test_follow_anonymous.py)", "reports:follow-confirm"),
    **_why("sign-in and sign-out (codes and passkeys are rate-limited and throttled; tested "
           "in misto/residents/tests)", "login", "core:logout", "residents:signin",
           "residents:oidc-start", "residents:oidc-callback", "residents:code-request",
           "residents:code-enter", "residents:passkey-signin-options",
           "residents:passkey-signin"),
    **_why("the local outbox of sign-in messages: outside production only (404 there)",
           "residents:dev-outbox"),
    **_why("a signed-in resident's own data only (tested in the module's tests)",
           "residents:cabinet", "residents:correction", "residents:end-sessions",
           "residents:export", "residents:extract-new", "GET /api/residents/me",
           "residents:passkey-register-options", "residents:passkey-register",
           "residents:passkey-remove",
           "GET /api/residents/me/access-log", "GET /api/residents/me/export",
           "POST /api/residents/me/corrections", "notifications:inbox",
           "notifications:settings", "GET /api/notifications/inbox",
           "POST /api/notifications/inbox/read", "GET /api/notifications/preferences",
           "PUT /api/notifications/preferences", "GET /api/notifications/subscriptions",
           "PUT /api/notifications/subscriptions",
           "DELETE /api/notifications/subscriptions/{subscription_id}",
           "POST /api/notifications/subscriptions/area", "PUT /api/notifications/home",
           "POST /api/notifications/push/subscriptions"),
    **_why("a signed token in the link decides (RFC 8058 one-click unsubscribe)",
           "notifications:unsubscribe", "POST /api/notifications/unsubscribe"),
    **_why("machines: device credentials or a per-integration secret",
           "POST /api/iot/readings", "webhooks:chirpstack", "webhooks:ttn"),
    **_why("public read: transport timetable, live vehicles, arrivals, boards, accuracy, "
           "alerts, GTFS, GTFS-Realtime and OneBusAway (fleet numbers and counts, nothing "
           "personal)",
           "transit:index", "transit:stop", "transit:stop-qr", "transit:board",
           "transit:accuracy",
           "transit-feeds:gtfs", "transit-feeds:gtfs-rt", "transit-feeds:oba-arrivals",
           "GET /api/transit/accuracy", "GET /api/transit/alerts", "GET /api/transit/routes",
           "GET /api/transit/stops", "GET /api/transit/stops/{code}/arrivals",
           "GET /api/transit/flows", "GET /api/transit/coverage",
           "GET /api/transit/vehicles"),
    **_why("a signed-in resident's own favourite stops (tested in misto/transit/tests)",
           "transit:favourite"),
    **_why("machines: the vehicle tracker's own key (tested in misto/transit/tests)",
           "POST /api/transit/positions", "transit:osmand"),
    **_why("machines: a municipal vehicle's tracker key (tested in misto/fleet/tests)",
           "fleet:osmand"),
    **_why("the OpenAPI description of a published interface, public like the interface "
           "(the API's root answers 404)", "ngsi:openapi-json", "ngsi:api-root",
           "webhooks:openapi-json", "webhooks:api-root"),
    **_why("a shown photo of a shown report is public; others need reports.report.view "
           "(tested in misto/reports/tests/test_security.py)", "reports:photo"),
    **_why("a scrape token or core.metrics.view (tested in misto/core/tests)", "core:metrics"),
    **_why("the staff member's own second factor (any role holder)", "residents:staff-totp"),
    **_why("crew members by crew membership, dispatchers by situation.incident.view "
           "(tested in misto/situation/tests)", "situation:tasks", "situation:task",
           "situation:photo"),
}


def _build_world() -> World:
    """The objects every case needs, made through the modules' own services."""
    from misto.core.models import DeliveryStatus, EventDelivery, OutboxEvent
    from misto.notifications import services as notices
    from misto.reports import demo as reports_demo
    from misto.reports import services as reports
    from misto.residents import services as residents
    from misto.situation import services as situation
    from misto.situation.models import Incident, IncidentKind
    from misto.twin import builtin
    from misto.twin import services as twin

    built = World()
    world.build_city()
    twin.get_layer(builtin.SHELTERS).__class__.objects.filter(code=builtin.SHELTERS).update(
        owner_department="light")
    shelter = twin.get_layer(builtin.SHELTERS).features.first()
    assert shelter is not None
    built.ids["shelter"] = shelter.pk
    reports_demo.load_tree()
    lon, lat = world.ON_SHEVCHENKA
    light = reports.submit(reports.Submission(
        category="streetlight-out", description="Не світить ліхтар", lon=lon, lat=lat,
        attributes={"how_many": "1"}))
    roads = reports.submit(reports.Submission(
        category="pothole", description="Яма на дорозі", lon=lon, lat=lat,
        attributes={"size": "medium"}))
    assert light.department and (light.department.code, light.district) == ("light", WEST)
    assert roads.department and (roads.department.code, roads.district) == ("roads", WEST)
    built.ids.update(light_report=light.public_id, roads_report=roads.public_id)

    owner = get_user_model().objects.create_user("owner-of-record")
    person = residents.create_person(
        {"last_name": "Власна", "first_name": "Ірина", "patronymic": "Петрівна",
         "birth_date": "1980-01-01", "rnokpp": rnokpp.make(date(1980, 1, 1), 7, True),
         "phone": "050 123 45 67", "email": "iryna@example.org",
         "address": "вул. Шевченка, 1"}, by=None, basis="matrix", user=owner)
    assert person.scope_district == WEST
    built.ids["rnokpp"] = rnokpp.make(date(1980, 1, 1), 7, True)
    built.ids["correction"] = residents.request_correction(
        person, field="phone", value="+380501234567", comment="new phone", by=owner).pk

    event = OutboxEvent.objects.create(name="matrix.Failed", payload={})
    built.ids["dead_letter"] = EventDelivery.objects.create(
        event=event, handler="misto.matrix.handler", status=DeliveryStatus.DEAD).pk

    situation.ensure_default_kinds()
    built.ids["incident"] = Incident.objects.create(
        kind=IncidentKind.objects.get(code="water"), title="Прорив", district=WEST,
        lon=world.ON_SHEVCHENKA[0], lat=world.ON_SHEVCHENKA[1]).pk
    dispatcher = make_staff("world-dispatcher", "dispatcher")
    built.ids["emergency"] = situation.declare_emergency(
        dispatcher, title="Аварія", districts=[WEST]).pk

    _build_petitions(built)
    _build_appeals(built)
    _build_opendata(built)
    _build_directory(built)
    _build_transit(built)
    _build_fleet(built)
    _build_index(built)
    _build_budget(built)
    _build_wallet(built)
    _build_consultations(built)

    notices.ensure_default_topics()
    composer = make_staff("world-composer", "clerk")
    built.ids["citywide"] = notices.compose(composer, notices.Draft(
        title_uk="Для всього міста", topics=["housing"], target="city")).pk
    built.ids["published"] = notices.compose(composer, notices.Draft(
        title_uk="Район", topics=["housing"], target="districts", districts=[WEST])).pk
    return built


def _build_budget(built: World) -> None:
    """A budget round taking proposals, with one west project under review."""
    from misto.budget import services as budget
    from misto.residents import levels

    found = budget.create_round("2026", "Бюджет", "Budget", {WEST: 500_000, EAST: 500_000},
                                key_bits=1024)
    author = make_resident("budget-author")
    built.ids["budget_round"] = found.number
    built.ids["budget_project"] = budget.do_propose(author, found, budget.check_proposal(
        author, levels.VERIFIED, found, "Лавки в сквері", "Десять лавок у сквері біля школи.",
        100_000, list(world.ON_SHEVCHENKA))).pk


def _build_consultations(built: World) -> None:
    """The light department's polls (a draft, an open one) and hearings (a draft, an open
    one with a comment, a closed one), made through the consultations' services."""
    from datetime import timedelta

    from django.utils import timezone

    from misto.consultations import services as consult
    from misto.residents import levels

    organiser = make_staff("world-organiser", "clerk", department="light")
    later = timezone.now() + timedelta(days=7)

    def poll() -> Any:
        return consult.do_create_poll(organiser, consult.check_poll(
            "Питання", "", [("Так", ""), ("Ні", "")], closes_at=later))

    built.ids["draft_poll"] = poll().pk
    built.ids["open_poll"] = consult.do_publish(poll()).pk
    built.ids["draft_hearing"] = consult.create_hearing(organiser, "Чернетка", later).pk
    opened = consult.publish_hearing(consult.create_hearing(organiser, "Слухання", later))
    built.ids["open_hearing"] = opened.pk
    built.ids["hearing_comment"] = consult.comment(
        make_resident("hearing-commenter"), levels.VERIFIED, opened, "Коментар").pk
    built.ids["closed_hearing"] = consult.close_hearing(consult.publish_hearing(
        consult.create_hearing(organiser, "Завершене", later))).pk


def _build_petitions(built: World) -> None:
    """One petition waiting for moderation, one under consideration (answered by ``light``)
    with one signature, made through the petitions' services."""
    from misto.petitions import services as petitions
    from misto.petitions.models import ModerationRule, Petition, Rules, Status
    from misto.residents import levels

    ModerationRule.objects.create(code="R1", title_uk="Правило", title_en="Rule",
                                  text_uk="Текст", text_en="Text")
    Rules.objects.create(threshold=1, answering_department="light")
    author = make_resident("petition-author")
    moderator = make_staff("world-moderator", "moderator")
    text = "Просимо встановити лавки вздовж набережної, бо людям ніде відпочити."
    waiting = petitions.submit(petitions.do_create_draft(
        author, petitions.check_draft("Лавки на набережній", text, "environment")))
    built.ids["petition_in_moderation"] = waiting.pk
    opened = petitions.open_petition(moderator, petitions.submit(petitions.do_create_draft(
        author, petitions.check_draft("Світлофор біля школи", text, "transport"))))
    signature = petitions.sign(make_resident("petition-signer"), levels.VERIFIED, opened)
    assert Petition.objects.get(pk=opened.pk).status == Status.CONSIDERATION
    built.ids.update(petition_number=opened.number, petition_signer=signature.signer)


def _build_opendata(built: World) -> None:
    """One published open dataset (a catalogue record; its data does not matter here)."""
    from misto.opendata.models import Dataset

    built.ids["dataset"] = Dataset.objects.create(
        name="matrix-data", title="Набір", title_en="Dataset", publisher="light",
        theme="GOVE", frequency="DAILY").name


def _build_appeals(built: World) -> None:
    """One appeal to the light department head's reception, made through the services."""
    from misto.appeals import services as appeals
    from misto.appeals.models import Reception

    Reception.objects.create(code="light-head", kind="department_head",
                             title_uk="Начальник служби освітлення",
                             title_en="Head of street lighting", department="light")
    make_staff("world-light-clerk", "clerk", department="light")
    author = make_resident("appeal-author")
    appeal = appeals.register(appeals.check_appeal(
        "light-head", "complaint", "Не світить ліхтар",
        "Третій тиждень не світить ліхтар біля будинку 3 на Шевченка."), author=author)
    built.ids["appeal"] = appeal.number


def _build_directory(built: World) -> None:
    """A unit kept by the light department, with a closure and a resident's correction."""
    from misto.directory import services as directory
    from misto.directory.models import Organisation, Unit

    office = Organisation.objects.create(slug="light", kind="department",
                                         name_uk="Служба освітлення", department="light")
    where = directory.place(*world.ON_SHEVCHENKA)
    unit = Unit.objects.create(organisation=office, slug="light-office",
                               name_uk="Служба освітлення", lon=where.lon, lat=where.lat,
                               hours="Mo-Fr 08:00-17:00")
    built.ids["directory_closure"] = directory.add_closure(unit, directory.check_closure(
        date(2030, 1, 1), date(2030, 1, 2), "Ремонт")).pk
    built.ids["directory_correction"] = directory.send(unit, "Неправильний телефон").pk
    built.ids["directory_photo"] = directory.add_photo(unit, directory.check_photo(
        _photo(), "Вхід")).pk
    partner = Organisation.objects.create(slug="light-partner", kind="business",
                                          name_uk="Світло-Сервіс", department="light",
                                          partner_role="enterprise")
    built.ids["directory_api_client"] = directory.clients.issue(partner, "CRM")[0].pk


def _build_wallet(built: World) -> None:
    """A resident's wallet account (the staff routes act on it by id), a correction asked
    by a clerk none of the identities is, an anonymous card, a kept reconciliation."""
    from datetime import timedelta

    from django.utils import timezone

    from misto.wallet import services as wallet

    account = wallet.access_account(make_resident("wallet-owner"))
    built.ids["wallet_account"] = account.pk
    # Asked by a clerk who is none of the identities, so any approver is a second person.
    built.ids["wallet_correction"] = wallet.do_request(
        account, 100, "повернення", make_staff("world-wallet-clerk", "clerk")).pk
    built.ids["wallet_anonymous_card"] = wallet.do_sell_card(None).card.number
    built.ids["wallet_reconciliation"] = wallet.do_reconcile(
        "demo", timezone.localdate() - timedelta(days=1), '{"data": []}').pk


def _photo() -> Any:
    """A small JPEG upload (a new one per request: a file is read once)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 200, 200)).save(out, "JPEG")
    out.seek(0)
    out.name = "entrance.jpg"
    return out


def _build_transit(built: World) -> None:
    """A service alert in force, for the dispatchers to end; a bus to put devices on."""
    from misto.transit.models import Alert, Vehicle

    built.ids["transit_alert"] = Alert.objects.create(header="Об'їзд").pk
    Vehicle.objects.create(code="bus-matrix-1")


def _build_fleet(built: World) -> None:
    """A municipal car that drove on a past day, and that day's waybill, filled with a
    driver who is none of the identities (so any dispatcher may approve it)."""
    from misto.fleet.services import tracking, vehicles, waybills
    from misto.fleet.tests.conftest import at, drive

    car, _key = vehicles.do_register(vehicles.check_vehicle(vehicles.VehicleDraft(
        "AP0007KM", "car", "", "transport", 50, 8.0, None, None, 0)))
    tracking.apply({car: drive(at(8), 35.12, 35.14, 6, fuel=(40.0, 39.8))})
    driver = make_staff("world-driver", "operator")
    built.ids.update(fleet_vehicle=car.pk, fleet_day=str(at(0).date()), fleet_driver=driver.pk)
    built.ids["fleet_waybill"] = waybills.do_fill(
        waybills.check_fill(driver, car, at(0).date(), driver.pk)).pk


def _build_index(built: World) -> None:
    """An entered indicator of the light department with last year's target."""
    from misto.index.models import Indicator, Target

    indicator = Indicator.objects.create(
        code="MATRIX-1", name_uk="Частка LED", name_en="LED share", theme="energy", unit="%",
        direction="higher", framework="city", method="entered", department="light",
        definition_uk="Визначення", definition_en="Definition")
    built.ids["index_year"] = date.today().year - 1
    Target.objects.create(indicator=indicator, year=built.index_year, value=60)


def _index_file(built: World) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("register.csv", (
        f"code,period,value,source\nMATRIX-1,{built.index_year},55,Реєстр\n").encode())


def _login(identity: Identity) -> Client:
    client = Client(raise_request_exception=False)
    if identity.anonymous:
        return client
    if identity.role is None:
        user = get_user_model().objects.create_user(f"id-{identity.name}",
                                                    is_staff=identity.is_staff)
    else:
        user = make_staff(f"id-{identity.name}", identity.role, identity.department,
                          identity.district, is_staff=identity.is_staff)
    client.force_login(user)
    return client


def _send(client: Client, case: Case, built: World) -> Any:
    path = case.resolve(case.path, built)
    data = case.resolve(case.data, built)
    method = getattr(client, case.method)
    if case.json or case.method in ("patch", "delete"):
        return method(path, json.dumps(data or {}), content_type="application/json")
    return method(path, data or {})


def _outcome(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (401, 403, 404):
        return "denied"
    location = response.get("Location", "") if status in (301, 302, 303) else ""
    if "/signin" in location or "/login" in location:
        return "denied"
    if status >= 400:
        return f"refused {status}"  # allowed past the permission but the request was bad
    return "allowed"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # the photos the routes store go with the test


def test_every_role_on_every_staff_route():
    built = _build_world()
    clients = {identity: _login(identity) for identity in IDENTITIES}
    wrong: list[str] = []
    checked = 0
    for label, case in CASES.items():
        for identity, client in clients.items():
            with transaction.atomic():
                response = _send(client, case, built)
                transaction.set_rollback(True)
            want = "allowed" if expected(case, identity) else "denied"
            got = _outcome(response)
            checked += 1
            if got != want:
                body = response.content[:200].decode("utf-8", "replace")
                wrong.append(f"{label} as {identity.name}: {got} "
                             f"({response.status_code}), documented {want}: {body!r}")
    assert checked == len(CASES) * len(IDENTITIES)
    assert not wrong, "\n".join(wrong)


# --- Every route is classified -----------------------------------------------------------


def _page_names(patterns: list[Any], namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "api/")):
                continue
            names |= _page_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def _api_operations(client: Client) -> set[str]:
    schema = client.get("/api/openapi.json").json()
    return {f"{method.upper()} {path}" for path, item in schema["paths"].items()
            for method in item if method in ("get", "post", "put", "patch", "delete")}


def _case_routes() -> set[str]:
    return {label.split(" (", 1)[0] for label in CASES}


def test_every_route_is_in_the_matrix_or_says_why_not(client):
    routes = _page_names(get_resolver().url_patterns) | _api_operations(client)
    classified = _case_routes() | set(NOT_ROLE_GATED)
    missing = sorted(routes - classified)
    assert not missing, ("routes with no row in the role matrix (add a Case, or a reason to "
                         f"NOT_ROLE_GATED): {missing}")
    stale = sorted(classified - routes)
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_the_admin_shows_each_role_what_its_actions_allow():
    """is_staff opens /admin/; the roles decide what is inside (the IT administrator saw
    "no permission" and the device registry answered a bare 403)."""
    admin = make_staff("it", "it_admin", is_staff=True)
    auditor = make_staff("audit", "auditor", is_staff=True)
    bare = get_user_model().objects.create_user("bare", is_staff=True)
    clerk = make_staff("clerk", "clerk")
    pages = {"/admin/iot/device/": 200, "/admin/iot/device/add/": 200,
             "/admin/core/staffassignment/add/": 200, "/admin/reports/apikey/": 200}
    client = Client()
    client.force_login(admin)
    assert {page: client.get(page).status_code for page in pages} == pages
    assert "/admin/iot/device/" in client.get("/admin/").content.decode()
    client.force_login(auditor)
    assert client.get("/admin/iot/device/").status_code == 200
    assert client.get("/admin/iot/device/add/").status_code == 403
    assert client.get("/admin/core/eventdelivery/").status_code == 200
    client.force_login(bare)
    index = client.get("/admin/")
    assert index.status_code == 200 and "/admin/iot/device/" not in index.content.decode()
    assert client.get("/admin/iot/device/").status_code == 403
    client.force_login(clerk)
    assert client.get("/admin/iot/device/").status_code == 302  # to the sign-in: no is_staff
