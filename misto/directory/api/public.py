"""Open to anyone: places with their status now, one place, the e-services catalogue, the
partners and the HSDS export; and "this information is wrong" (rate-limited)."""

# No ``from __future__ import annotations``: the rate-limit wrapper hides this module's
# globals from django-ninja, which must see the annotations as types.
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from misto import twin
from misto.core.ratelimit import json_response, ratelimit
from misto.core.schemas import refusals
from misto.directory import services
from misto.directory.api.convert import eservice_out, partner_out, place_detail, place_out
from misto.directory.api.schemas import (
    DirectoryCorrectionIn,
    EServiceOut,
    NearestShelterOut,
    NearestSheltersFilter,
    PartnerOut,
    PlaceDetailOut,
    PlaceFilter,
    PlaceOut,
    SentOut,
    ServiceFilter,
    ShelterStepOut,
    Slug,
)
from misto.directory.services import hsds

router = Router(tags=["directory"])


@router.get("/places", response={200: list[PlaceOut], **refusals()},
            summary="Places by need, name or address, each with whether it is open now")
def places(request: HttpRequest, filters: Query[PlaceFilter]) -> list[PlaceOut]:
    found = services.search(filters.q, kind=filters.kind, open_now=filters.open_now)
    return [place_out(unit, state) for unit, state in found[:filters.limit]]


@router.get("/places/{slug}", response={200: PlaceDetailOut, **refusals(404)},
            summary="One place: the week's hours, closures, contacts, accessibility")
def place(request: HttpRequest, slug: Slug) -> PlaceDetailOut:
    return place_detail(services.access_unit(request.user, slug))


@router.post("/places/{slug}/corrections", response={201: SentOut, **refusals(404, 429)},
             summary="Say that a place's information is wrong (for its maintainer)")
@ratelimit("directory.correction", respond=json_response)
def correct(request: HttpRequest, slug: Slug, body: DirectoryCorrectionIn) -> Status[SentOut]:
    unit = services.access_unit(request.user, slug)
    services.send(unit, body.text, user=request.user)
    return Status(201, SentOut(sent=True))


@router.get("/services", response={200: list[EServiceOut], **refusals()},
            summary="The e-services catalogue, searchable by need")
def eservices(request: HttpRequest, filters: Query[ServiceFilter]) -> list[EServiceOut]:
    return [eservice_out(s) for s in services.search_services(filters.q)]


@router.get("/partners", response={200: list[PartnerOut], **refusals()},
            summary="Partner organisations and what they offer the city")
def partners(request: HttpRequest) -> list[PartnerOut]:
    return [partner_out(org) for org in
            services.partners().prefetch_related("units__contacts", "api_clients")]


@router.get("/hsds.json", response={200: dict[str, Any], **refusals()},
            summary="The whole directory in Open Referral HSDS 3.0 (JSON, tabular form)")
def hsds_export(request: HttpRequest) -> dict[str, Any]:
    return hsds.export()


@router.get("/shelters/nearest", response={200: list[NearestShelterOut], **refusals(400, 422)},
            summary="The open shelters quickest to walk to from a point, with the routes")
def nearest_shelters(request: HttpRequest,
                     filters: Query[NearestSheltersFilter]) -> list[NearestShelterOut]:
    """Quickest first; fewer, or none, when fewer open shelters can be reached by street.
    A point outside the city is a 400, one far from every street a 422 (the twin's codes)."""
    found = twin.nearest_open_shelters((filters.lon, filters.lat), filters.n)
    return [NearestShelterOut(
        **vars(item.shelter), distance_m=round(item.route.distance_m),
        duration_s=round(item.route.time_s), straight_m=round(item.straight_m),
        steps=[ShelterStepOut(name=step.name, distance_m=round(step.distance_m),
                              duration_s=round(step.time_s)) for step in item.route.steps],
        route=_route_feature(item.route)) for item in found]


def _route_feature(route: Any) -> dict[str, Any]:
    feature = route.geojson()
    feature["properties"] = {"distance_m": round(route.distance_m),
                             "duration_s": round(route.time_s), "mode": route.mode}
    return feature
