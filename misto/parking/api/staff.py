"""Staff: statistics per zone and hour (tallies, nothing personal)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import refusals
from misto.parking import services
from misto.parking.api.schemas import ParkingStatsOut, ParkingStatsRowOut
from misto.parking.permissions import STATS_VIEW

router = Router(tags=["parking: staff"], auth=django_auth)


class ParkingStatsQuery(Schema):
    day: date | None = None


@router.get("/stats", response={200: ParkingStatsOut, **refusals(401, 403)},
            summary="Sessions, minutes, money and mean occupancy per zone and local hour")
def stats(request: HttpRequest, query: Query[ParkingStatsQuery]) -> ParkingStatsOut:
    require(request.user, STATS_VIEW)
    found = services.per_zone_and_hour(query.day or timezone.localdate())
    return ParkingStatsOut(day=found.day.isoformat(), rows=[
        ParkingStatsRowOut(zone=row.zone, hour=row.hour, sessions=row.sessions,
                           minutes=row.minutes, amount_kop=row.amount,
                           occupancy_percent=row.occupancy) for row in found.rows])
