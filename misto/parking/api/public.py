"""Anyone: lots with their free places now (JSON, GeoJSON), zones and tariffs, lots near a
point. Nothing personal: counts only."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from misto.core.schemas import refusals
from misto.parking import services
from misto.parking.api.convert import lot_feature, lot_out, zone_out
from misto.parking.api.schemas import ParkingFeatureCollection, ParkingLotOut, ParkingZoneOut
from misto.parking.models import Zone

router = Router(tags=["parking: public"])


class ParkingNearQuery(Schema):
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    n: Annotated[int, Field(ge=1, le=20)] = 3


@router.get("/lots", response={200: list[ParkingLotOut], **refusals()},
            summary="Every lot with its places and free places now (ParkAPI-like states)")
def lots(request: HttpRequest) -> list[ParkingLotOut]:
    return [lot_out(now) for now in services.with_free()]


@router.get("/lots.geojson", response={200: ParkingFeatureCollection, **refusals()},
            summary="The lots as a GeoJSON FeatureCollection (areas, free places)")
def lots_geojson(request: HttpRequest) -> ParkingFeatureCollection:
    return ParkingFeatureCollection(features=[lot_feature(now) for now in services.with_free()])


@router.get("/lots/near", response={200: list[ParkingLotOut], **refusals()},
            summary="The open lots nearest a point (what a phone proposes)")
def near(request: HttpRequest, query: Query[ParkingNearQuery]) -> list[ParkingLotOut]:
    return [lot_out(now) for now in services.nearest_lots(query.lon, query.lat, query.n)]


@router.get("/zones", response={200: list[ParkingZoneOut], **refusals()},
            summary="Zones with their kind and tariffs by weekday and hour")
def zones(request: HttpRequest) -> list[ParkingZoneOut]:
    return [zone_out(zone) for zone in Zone.objects.prefetch_related("tariffs")]
