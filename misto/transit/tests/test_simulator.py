"""``misto simulate transit``: the simulated buses run their trips and their positions are
taken by the same ingest a tracker's go through."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from misto.cli import simulate_target
from misto.transit.models import Vehicle, VehicleState
from misto.transit.services import timetable
from misto.transit.simulator import Simulation, direct_sender

pytestmark = pytest.mark.django_db


def test_simulated_buses_run_their_trips(live_feed: Any) -> None:
    tt = timetable.current()
    assert tt is not None
    bus = Vehicle.objects.create(code="bus-R101", seats=28, capacity=90)
    simulation = Simulation(tt, [bus], seed=3)
    simulation.sims[0].route_id = "R1"
    now = timezone.now()
    answers = [direct_sender(v, f) for step in range(3)
               for v, f in simulation.step(now + timedelta(seconds=10 * step))]
    assert answers == ["OK", "OK", "OK"]
    state = VehicleState.objects.get(vehicle=bus)
    assert state.route_id == "R1" and state.passengers is not None


def test_the_command_needs_a_timetable_and_sane_options(db: Any) -> None:
    with pytest.raises(CommandError, match="no timetable"):
        call_command("simulate_transit", "--ticks", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="positive"):
        call_command("simulate_transit", "--interval", "0", stdout=StringIO())


def test_misto_simulate_transit_is_the_transit_simulator() -> None:
    assert simulate_target(["misto", "simulate", "transit", "--ticks", "2"]) == [
        "misto", "simulate_transit", "--ticks", "2"]
    assert simulate_target(["misto", "simulate", "--count", "5"]) == [
        "misto", "simulate", "--count", "5"]
    assert simulate_target(["misto", "simulate", "iot"]) == ["misto", "simulate"]


@pytest.mark.django_db(transaction=True)
def test_the_simulator_posts_as_a_tracker_over_osmand(live_server: Any, live_feed: Any) -> None:
    from misto.transit.demo import tracker_key
    from misto.transit.services.positions import token_digest
    from misto.transit.simulator import osmand_sender

    tt = timetable.current()
    assert tt is not None
    bus = Vehicle.objects.create(code="bus-R101", seats=28, capacity=90,
                                 token_hash=token_digest(tracker_key("bus-R101")))
    simulation = Simulation(tt, [bus], seed=5)
    simulation.sims[0].route_id = "R1"
    send = osmand_sender(live_server.url, tracker_key)
    [(vehicle, position)] = simulation.step(timezone.now())
    assert send(vehicle, position) == "OK"
    assert VehicleState.objects.get(vehicle=bus).trip_id.startswith("T")
