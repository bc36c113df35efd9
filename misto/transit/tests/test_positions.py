"""Positions in: matched to their trip, stops passed noted, arrivals predicted, predictions
checked against what happened; implausible fixes dead-lettered with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from misto.transit.models import (
    DeadFix,
    Prediction,
    PredictionSample,
    SegmentTime,
    StopVisit,
    VehicleState,
)
from misto.transit.services import occupancy, positions, predictions
from misto.transit.tests.conftest import MONDAY_8, fix, minutes

pytestmark = pytest.mark.django_db


def test_a_bus_is_matched_to_its_trip_and_its_arrivals_predicted(feed: Any, bus: Any) -> None:
    vehicle, _key = bus
    at = MONDAY_8 + minutes(1)
    # 15 % of the way from the first stop to the last: 45 % into the first segment.
    outcome = positions.record(vehicle, fix(0.15, at, passengers=12), now=at)
    assert outcome.accepted and outcome.trip_id == "T0"
    state = VehicleState.objects.get(vehicle=vehicle)
    assert state.route_id == "R1" and state.next_sequence == 2
    # The timetable has it 45 % along 08:00:00 -> 08:03:30 at 08:01:34: 34 s early.
    assert state.delay_s is not None and -40 <= state.delay_s <= -28
    ahead = {p.sequence: (p.predicted - at).total_seconds()
             for p in Prediction.objects.filter(vehicle=vehicle)}
    # 55 % of 210 s to the next stop, then 30 s dwell + 180 s per stop (no history yet).
    assert ahead[2] == pytest.approx(0.55 * 210, abs=3)
    assert ahead[3] == pytest.approx(ahead[2] + 210, abs=1)
    assert ahead[4] == pytest.approx(ahead[3] + 210, abs=1)
    assert sorted(PredictionSample.objects.values_list("sequence", "bucket")) == [
        (2, 0), (3, 1), (4, 2)]


def test_passing_a_stop_records_the_arrival_and_scores_the_prediction(feed: Any,
                                                                       bus: Any) -> None:
    vehicle, _key = bus
    t1 = MONDAY_8 + minutes(1)
    positions.record(vehicle, fix(0.15, t1), now=t1)
    predicted = Prediction.objects.get(vehicle=vehicle, sequence=2).predicted
    t2 = MONDAY_8 + minutes(4)
    positions.record(vehicle, fix(0.40, t2), now=t2)  # past stop 2 (at 1/3)
    visit = StopVisit.objects.get(sequence=2)
    assert t1 < visit.arrived_at < t2 and visit.vehicle_code == "bus-7"
    sample = PredictionSample.objects.get(sequence=2, bucket=0)
    assert sample.actual == visit.arrived_at
    [all_routes, route] = predictions.accuracy(days=[MONDAY_8.date()])
    assert all_routes.route_id == "" and route.route_id == "R1"
    first = route.buckets[0]
    error = (visit.arrived_at - predicted).total_seconds()
    assert first.samples == 1 and first.accurate == int(-30 <= error <= 90)
    assert route.score == first.accurate  # the only horizon with a sample
    # No prediction is left for a stop already passed.
    assert not Prediction.objects.filter(vehicle=vehicle, sequence=2).exists()


def test_observed_segment_times_replace_the_timetable_once_seen_often(feed: Any,
                                                                      bus: Any) -> None:
    vehicle, _key = bus
    for n in range(3):  # three trips each take 300 s (not 210) from stop 1 to stop 2
        start = MONDAY_8 + minutes(10 * n)
        VehicleState.objects.filter(vehicle=vehicle).delete()
        positions.record(vehicle, fix(0.0, start - timedelta(seconds=5)), now=start)
        positions.record(vehicle, fix(0.02, start + timedelta(seconds=20)), now=start)
        positions.record(vehicle, fix(0.34, start + timedelta(seconds=300)),
                         now=start + minutes(5))
    assert SegmentTime.objects.get(from_stop="S1", to_stop="S2").count == 3
    at = MONDAY_8 + minutes(31)
    VehicleState.objects.filter(vehicle=vehicle).delete()
    positions.record(vehicle, fix(0.0, at - timedelta(seconds=5)), now=at)
    positions.record(vehicle, fix(0.05, at + timedelta(seconds=10)), now=at + minutes(1))
    ahead = Prediction.objects.get(vehicle=vehicle, sequence=2)
    seconds = (ahead.predicted - (at + timedelta(seconds=10))).total_seconds()
    assert seconds > 240  # the learnt ~300 s, not the timetable's 210 s


@pytest.mark.parametrize(("where", "when", "reason"), [
    ((0.0, 0.0), 0, "bad_coordinates"),
    ((30.52, 50.45), 0, "outside_city"),  # Kyiv
    (None, 300, "future"),
    (None, -2 * 86400, "too_old"),
])
def test_an_implausible_fix_is_dead_lettered_with_its_reason(feed: Any, bus: Any, where: Any,
                                                             when: int, reason: str) -> None:
    vehicle, _key = bus
    at = MONDAY_8 + timedelta(seconds=when)
    lon, lat = where or (35.13, 47.82)
    outcome = positions.record(vehicle, positions.Fix(lon=lon, lat=lat, fixed_at=at),
                               now=MONDAY_8)
    assert not outcome.accepted and outcome.reason == reason
    assert DeadFix.objects.get().reason == reason
    assert not VehicleState.objects.exists()


def test_a_jump_or_an_older_fix_is_dead_lettered(feed: Any, bus: Any) -> None:
    vehicle, _key = bus
    positions.record(vehicle, fix(0.1, MONDAY_8), now=MONDAY_8)
    later = MONDAY_8 + timedelta(seconds=10)
    assert positions.record(vehicle, fix(1.0, later), now=later).reason == "jump"  # 2 km/10 s
    assert positions.record(vehicle, fix(0.1, MONDAY_8 - timedelta(seconds=1)),
                            now=later).reason == "out_of_order"
    assert VehicleState.objects.get().fixed_at == MONDAY_8


def test_passenger_counts_give_free_seats_and_gtfs_rt_occupancy(feed: Any, bus: Any) -> None:
    vehicle, _key = bus
    positions.record(vehicle, fix(0.1, MONDAY_8, passengers=10), now=MONDAY_8)
    later = MONDAY_8 + timedelta(seconds=20)
    positions.record(vehicle, fix(0.12, later, boarded=25, alighted=2), now=later)
    state = VehicleState.objects.get()
    assert state.passengers == 33
    now = occupancy.load(state.passengers, vehicle.seats, vehicle.capacity)
    assert (now.free_seats, now.status, now.percent) == (0, "STANDING_ROOM_ONLY", 41)
    assert occupancy.load(0, 30, 80).status == "EMPTY"
    assert occupancy.load(10, 30, 80).status == "MANY_SEATS_AVAILABLE"
    assert occupancy.load(25, 30, 80).status == "FEW_SEATS_AVAILABLE"
    assert occupancy.load(75, 30, 80).status == "CRUSHED_STANDING_ROOM_ONLY"
    assert occupancy.load(80, 30, 80).status == "FULL"
    assert occupancy.load(None, 30, 80).status == "NO_DATA_AVAILABLE"


def test_the_benchmark_bands(db: Any) -> None:
    assert predictions.bucket_of(60) == 0 and predictions.bucket_of(200) == 1
    assert predictions.bucket_of(599) == 2 and predictions.bucket_of(899) == 3
    assert predictions.bucket_of(900) is None
    assert predictions.accurate(0, -30) and not predictions.accurate(0, -31)
    assert predictions.accurate(0, 90) and not predictions.accurate(0, 91)
    assert predictions.accurate(3, -90) and predictions.accurate(3, 270)
    assert not predictions.accurate(3, 271)


def test_two_buses_close_together_are_bunched(feed: Any, bus: Any) -> None:
    from misto.transit.models import Vehicle
    from misto.transit.services import overload

    leader, _key = bus
    follower = Vehicle.objects.create(code="bus-8", seats=30, capacity=80)
    # T0 left at 08:00 and runs ten minutes late (its on-board computer says which trip it
    # is); T1 (08:10) is on time right behind it.
    at = MONDAY_8 + minutes(11)
    positions.record(leader, fix(0.02, at - timedelta(seconds=30), trip_id="T0"), now=at)
    positions.record(leader, fix(0.05, at, trip_id="T0"), now=at)
    positions.record(follower, fix(0.0, at - timedelta(seconds=30)), now=at)
    positions.record(follower, fix(0.02, at), now=at)
    assert {s.vehicle.code: s.trip_id for s in VehicleState.objects.all()} == {
        "bus-7": "T0", "bus-8": "T1"}
    [route] = [r for r in overload.routes_now(at) if r.route_id == "R1"]
    [gap] = route.gaps
    assert (gap.leader, gap.follower) == ("bus-7", "bus-8")
    assert gap.scheduled_s == 600 and 0 < gap.headway_s < 120 and gap.bunched
    assert route.bunched == 1 and route.shortest_headway_s == gap.headway_s


def test_housekeeping_drops_only_what_is_old(feed: Any, bus: Any) -> None:
    from misto.transit.services import housekeeping

    vehicle, _key = bus
    positions.record(vehicle, positions.Fix(lon=0.0, lat=0.0, fixed_at=MONDAY_8), now=MONDAY_8)
    DeadFix.objects.update(received_at=MONDAY_8 - timedelta(days=31))
    positions.record(vehicle, positions.Fix(lon=0.0, lat=0.0, fixed_at=MONDAY_8), now=MONDAY_8)
    done = housekeeping.prune(MONDAY_8)
    assert done["dead_fixes"] == 1 and DeadFix.objects.count() == 1


def test_counts_become_passenger_flows_at_the_stop_reached(feed: Any, bus: Any,
                                                           client: Any) -> None:
    from misto.transit.models import PassengerFlow

    vehicle, _key = bus
    positions.record(vehicle, fix(0.0, MONDAY_8 - timedelta(seconds=10), passengers=5),
                     now=MONDAY_8)
    t1 = MONDAY_8 + timedelta(seconds=20)
    positions.record(vehicle, fix(0.02, t1, boarded=4), now=t1)  # just left stop 1
    t2 = MONDAY_8 + minutes(4)
    positions.record(vehicle, fix(0.34, t2, boarded=6, alighted=2), now=t2)  # at stop 2
    rows = {(r.stop_id, r.hour): (r.boarded, r.alighted) for r in PassengerFlow.objects.all()}
    assert rows == {("S1", 8): (4, 0), ("S2", 8): (6, 2)}
    answer = client.get("/api/transit/flows", {"day": "2026-12-07", "route_id": "R1"}).json()
    assert {(f["stop_id"], f["boarded"]) for f in answer} == {("S1", 4), ("S2", 6)}
