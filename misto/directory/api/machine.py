"""Partners' systems: a partner's API key (``Authorization: Bearer mdk_...``) changes the
hours and closures of that partner's own places, and reads them back; any other place is
"not found". No person is signed in: the key is the whole identity, so every route here
is under ``/api/directory/partner/`` and nothing else accepts the key."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.security import HttpBearer

from misto.core.schemas import DbId, refusals
from misto.directory import services
from misto.directory.api.convert import place_detail
from misto.directory.api.schemas import ClosureIn, HoursIn, PlaceDetailOut, Slug
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.models import ApiClient


class PartnerKey(HttpBearer):
    """A partner's active API key; refused keys answer 401 like a missing one."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        return services.clients.client_for_key(token)


router = Router(tags=["directory: partners' systems"], auth=PartnerKey())


def _client(request: HttpRequest) -> ApiClient:
    client = request.auth  # type: ignore[attr-defined]
    if not isinstance(client, ApiClient):  # the router's auth ran; this only satisfies typing
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such place."))
    return client


@router.get("/partner/places", response={200: list[PlaceDetailOut], **refusals(401)},
            summary="The partner's own places, with their hours and closures")
def own_places(request: HttpRequest) -> list[PlaceDetailOut]:
    return [place_detail(unit) for unit in services.clients.partner_units(_client(request))
            .prefetch_related("contacts", "closures", "services", "photos")]


@router.put("/partner/places/{slug}/hours",
            response={200: PlaceDetailOut, **refusals(401, 404)},
            summary="Set one of the partner's places' weekly hours (OpenStreetMap syntax)")
def set_hours(request: HttpRequest, slug: Slug, body: HoursIn) -> PlaceDetailOut:
    unit = services.clients.access_own_unit(_client(request), slug)
    services.set_hours(unit, body.opening_hours, closed_on_days_off=body.closed_on_days_off)
    return place_detail(services.clients.access_own_unit(_client(request), slug))


@router.post("/partner/places/{slug}/closures",
             response={201: PlaceDetailOut, **refusals(401, 404)},
             summary="Close one of the partner's places for some days, with the reason")
def add_closure(request: HttpRequest, slug: Slug, body: ClosureIn) -> Status[PlaceDetailOut]:
    unit = services.clients.access_own_unit(_client(request), slug)
    services.add_closure(unit, services.check_closure(body.start, body.end, body.reason_uk,
                                                      body.reason_en))
    return Status(201, place_detail(services.clients.access_own_unit(_client(request), slug)))


@router.delete("/partner/places/{slug}/closures/{closure_id}",
               response={204: None, **refusals(401, 404)},
               summary="Remove a closure of one of the partner's places")
def remove_closure(request: HttpRequest, slug: Slug, closure_id: DbId) -> Status[Any]:
    unit = services.clients.access_own_unit(_client(request), slug)
    services.remove_closure(unit, closure_id)
    return Status(204, None)
