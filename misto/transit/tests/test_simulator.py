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
