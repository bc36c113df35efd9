"""Inspectors: Helsinki Parkkihubi's ``check_parking`` (docs/parking.md). Any operator may
call it; in a zone, only an inspector of that zone's district (or of all) gets an answer."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import refusals
from misto.parking import services
from misto.parking.api.schemas import ParkingCheckIn, ParkingCheckOut
from misto.parking.permissions import ENFORCEMENT_CHECK

router = Router(tags=["parking: enforcement"], auth=django_auth)


@router.post("/check", response={200: ParkingCheckOut, **refusals(401, 403)},
             summary="May this plate park where it stands (now or at `time`)?")
def check(request: HttpRequest, body: ParkingCheckIn) -> ParkingCheckOut:
    require(request.user, ENFORCEMENT_CHECK)
    lon, lat = body.location.coordinates
    verdict = services.check_inspection(request.user, body.registration_number, lon, lat,
                                        body.time)
    return ParkingCheckOut(allowed=verdict.allowed, end_time=verdict.end_time,
                           zone=verdict.zone.code if verdict.zone else None,
                           zone_kind=verdict.zone.kind if verdict.zone else None,
                           reason=verdict.reason, time=verdict.time)
