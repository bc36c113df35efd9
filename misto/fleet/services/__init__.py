"""The fleet's services, one file per concept: ``vehicles`` (registration, keys, access),
``tracking`` (fixes and fuel readings in: trips, distance, the fuel filter), ``fuel`` (the
refuel and drain detector), ``days`` (a vehicle's day), ``waybills`` (form No. 3: fill,
approve), ``pdf`` (the form printed)."""

from misto.fleet.services import days, fuel, pdf, tracking, vehicles, waybills

__all__ = ["days", "fuel", "pdf", "tracking", "vehicles", "waybills"]
