"""The machines' transit API: a vehicle's tracker (or its on-board computer) posting
positions, with the passenger counter's figures. ``Authorization: Bearer <key>`` with the key
the vehicle was registered with; the vehicle is named by ``X-Vehicle`` or ``?vehicle=``.
The Traccar/OsmAnd protocol most cheap trackers speak is at ``/transit/osmand`` (views.py).

A position that cannot be true (outside the city, in the future, an impossible jump, older
than the last one) is dead-lettered with its reason and answered as such, not stored."""

from __future__ import annotations

from datetime import UTC

from django.http import HttpRequest
from ninja import Router

from misto.core.schemas import refusals
from misto.transit.api.schemas import FixesIn, FixesOut, FixOutcomeOut
from misto.transit.services import positions


def bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


router = Router(tags=["transit: machines"])


@router.post("/positions", response={200: FixesOut, **refusals(401)},
             summary="A tracker's positions (up to 500, oldest first), with passenger counts")
def post_positions(request: HttpRequest, body: FixesIn) -> FixesOut:
    vehicle = positions.tracker(request.headers.get("X-Vehicle", "")
                                or request.GET.get("vehicle", ""), bearer(request))
    results = []
    for fix in sorted(body.fixes, key=lambda f: f.ts):
        outcome = positions.record(vehicle, positions.Fix(
            lon=fix.lon, lat=fix.lat,
            fixed_at=fix.ts if fix.ts.tzinfo else fix.ts.replace(tzinfo=UTC),
            speed=fix.speed, bearing=fix.bearing,
            trip_id=fix.trip_id, passengers=fix.passengers, boarded=fix.boarded,
            alighted=fix.alighted))
        results.append(FixOutcomeOut(accepted=outcome.accepted, reason=outcome.reason,
                                     trip_id=outcome.trip_id, delay_s=outcome.delay_s))
    accepted = sum(r.accepted for r in results)
    return FixesOut(accepted=accepted, dead_lettered=len(results) - accepted, results=results)
