"""Staff of the maintaining department: hours, closures, contacts, place; the corrections
queue; the IT administrator's HSDS import."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import DbId, refusals
from misto.directory import services
from misto.directory.api.convert import place_detail
from misto.directory.api.schemas import (
    ApiClientIn,
    ApiClientOut,
    ClosureIn,
    ContactsIn,
    DirectoryCorrectionOut,
    HoursIn,
    HsdsImportOut,
    ImportFor,
    IssuedKeyOut,
    LocationIn,
    PhotoIn,
    PlaceDetailOut,
    ResolveIn,
    Slug,
)
from misto.directory.models import ApiClient, Correction
from misto.directory.services import hsds

router = Router(tags=["directory: staff"], auth=django_auth)
EDIT = "directory.entry.edit"


def _correction(c: Correction) -> DirectoryCorrectionOut:
    return DirectoryCorrectionOut(id=c.pk, unit=c.unit.slug, status=c.status, text=c.text,
                         created_at=c.created_at, note=c.note)


@router.put("/places/{slug}/hours", response={200: PlaceDetailOut, **refusals(401, 403, 404)},
            summary="Set the weekly hours (OpenStreetMap opening_hours syntax)")
def set_hours(request: HttpRequest, slug: Slug, body: HoursIn) -> PlaceDetailOut:
    unit = services.access_unit(request.user, slug, EDIT)
    services.set_hours(unit, body.opening_hours, closed_on_days_off=body.closed_on_days_off)
    return place_detail(services.access_unit(request.user, slug))


@router.post("/places/{slug}/closures",
             response={201: PlaceDetailOut, **refusals(401, 403, 404)},
             summary="Close the place for some days, with the reason residents see")
def add_closure(request: HttpRequest, slug: Slug, body: ClosureIn) -> Status[PlaceDetailOut]:
    unit = services.access_unit(request.user, slug, EDIT)
    services.add_closure(unit, services.check_closure(body.start, body.end, body.reason_uk,
                                                      body.reason_en))
    return Status(201, place_detail(services.access_unit(request.user, slug)))


@router.delete("/places/{slug}/closures/{closure_id}",
               response={204: None, **refusals(401, 403, 404)}, summary="Remove a closure")
def remove_closure(request: HttpRequest, slug: Slug, closure_id: DbId) -> Status[None]:
    unit = services.access_unit(request.user, slug, EDIT)
    services.remove_closure(unit, closure_id)
    return Status(204, None)


@router.put("/places/{slug}/contacts", response={200: PlaceDetailOut, **refusals(401, 403, 404)},
            summary="Replace the contacts (phones in Ukrainian format, stored E.164)")
def set_contacts(request: HttpRequest, slug: Slug, body: ContactsIn) -> PlaceDetailOut:
    unit = services.access_unit(request.user, slug, EDIT)
    services.set_contacts(unit, [(c.kind, c.value, c.label) for c in body.contacts])
    return place_detail(services.access_unit(request.user, slug))


@router.put("/places/{slug}/location", response={200: PlaceDetailOut, **refusals(401, 403, 404)},
            summary="Move the place; the twin gives its address and landmark")
def move(request: HttpRequest, slug: Slug, body: LocationIn) -> PlaceDetailOut:
    unit = services.access_unit(request.user, slug, EDIT)
    services.move(unit, body.lon, body.lat)
    return place_detail(services.access_unit(request.user, slug))


@router.post("/places/{slug}/photos",
             response={201: PlaceDetailOut, **refusals(401, 403, 404, 409, 503)},
             summary="Add a photo (JPEG, PNG or WebP; stored without its metadata)")
def add_photo(request: HttpRequest, slug: Slug, body: Form[PhotoIn],
              photo: File[UploadedFile]) -> Status[PlaceDetailOut]:
    unit = services.access_unit(request.user, slug, EDIT)
    services.add_photo(unit, services.check_photo(photo, body.caption_uk, body.caption_en))
    return Status(201, place_detail(services.access_unit(request.user, slug)))


@router.delete("/places/{slug}/photos/{photo_id}",
               response={204: None, **refusals(401, 403, 404)}, summary="Remove a photo")
def remove_photo(request: HttpRequest, slug: Slug, photo_id: DbId) -> Status[None]:
    unit = services.access_unit(request.user, slug, EDIT)
    services.remove_photo(unit, photo_id)
    return Status(204, None)


@router.get("/corrections", response={200: list[DirectoryCorrectionOut], **refusals(401, 403)},
            summary="Open corrections for the departments the user keeps")
def corrections(request: HttpRequest) -> list[DirectoryCorrectionOut]:
    require(request.user, "directory.correction.view")
    return [_correction(c) for c in services.queue_for(request.user)[:200]]


@router.post("/corrections/{correction_id}/resolution",
             response={200: DirectoryCorrectionOut, **refusals(401, 403, 404, 409)},
             summary="Close a correction as fixed or declined, with a note")
def resolve(request: HttpRequest, correction_id: DbId, body: ResolveIn) -> DirectoryCorrectionOut:
    correction = services.access_correction(request.user, correction_id, EDIT)
    return _correction(services.resolve(request.user, correction, fixed=body.fixed,
                                        note=body.note))


@router.post("/hsds", response={200: HsdsImportOut, **refusals(401, 403)},
             summary="Import an Open Referral HSDS 3.0 file (all or nothing)")
def hsds_import(request: HttpRequest, body: Body[dict[str, Any]],
                department: Query[ImportFor]) -> HsdsImportOut:
    """New organisations are kept by ``department`` (the importer says whose they are)."""
    require(request.user, "directory.hsds.import")
    orgs, locations = hsds.do_import(hsds.check_import(body), department=department.department)
    return HsdsImportOut(organizations=orgs, locations=locations)


def _api_client(row: ApiClient) -> dict[str, Any]:
    return {"id": row.pk, "partner": row.organisation.slug, "name": row.name,
            "prefix": row.prefix, "active": row.active, "created_at": row.created_at,
            "last_used_at": row.last_used_at}


@router.get("/partners/{slug}/api-clients",
            response={200: list[ApiClientOut], **refusals(401, 403, 404)},
            summary="A partner's API clients (never their keys)")
def api_clients(request: HttpRequest, slug: Slug) -> list[dict[str, Any]]:
    partner = services.clients.access_partner(request.user, slug)
    return [_api_client(row) for row in partner.api_clients.all()]


@router.post("/partners/{slug}/api-clients",
             response={201: IssuedKeyOut, **refusals(401, 403, 404)},
             summary="Issue an API key to a partner's system (shown once)")
def issue_api_client(request: HttpRequest, slug: Slug,
                     body: ApiClientIn) -> Status[dict[str, Any]]:
    partner = services.clients.access_partner(request.user, slug)
    row, key = services.clients.issue(partner, body.name, request.user)
    return Status(201, {**_api_client(row), "key": key})


@router.delete("/api-clients/{client_id}", response={204: None, **refusals(401, 403, 404)},
               summary="Revoke a partner's API key")
def revoke_api_client(request: HttpRequest, client_id: DbId) -> Status[None]:
    services.clients.revoke(services.clients.access_client(request.user, client_id))
    return Status(204, None)
