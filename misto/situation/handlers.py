"""How the situation centre reacts to other modules' events (docs/events.md).

Incidents are built only from these events, never from other modules' tables:
``reports.ReportCreated``, ``reports.ReportStatusChanged``, ``iot.ReadingOutOfRange``,
``iot.ContainerFull``, ``iot.DeviceOffline``, ``notifications.OutageAnnounced``, and
``iot.DeviceRegistryChanged`` (to count the city's devices for the dashboard),
``transit.RouteOverloaded``, ``fleet.FuelDrainDetected``.
"""

from __future__ import annotations

from misto.core.events import EventEnvelope, consumes
from misto.situation import services

# Inline: the live map should see a report or an alert the moment it commits; the worker
# still delivers them if the publishing process dies first.


@consumes("reports.ReportCreated", inline=True)
def on_report_created(event: EventEnvelope) -> None:
    services.ingest_report_created(event.payload)


@consumes("reports.ReportStatusChanged", inline=True)
def on_report_status_changed(event: EventEnvelope) -> None:
    services.ingest_report_status(event.payload)


@consumes("iot.ReadingOutOfRange", inline=True)
def on_reading_out_of_range(event: EventEnvelope) -> None:
    services.ingest_reading(event.payload, "iot.ReadingOutOfRange")


@consumes("iot.ContainerFull", inline=True)
def on_container_full(event: EventEnvelope) -> None:
    services.ingest_reading(event.payload, "iot.ContainerFull")


@consumes("iot.DeviceOffline", inline=True)
def on_device_offline(event: EventEnvelope) -> None:
    services.ingest_device_offline(event.payload)


@consumes("iot.DeviceSeen", inline=True)
def on_device_seen(event: EventEnvelope) -> None:
    """A device's first reading: online from now on (as its own page says)."""
    services.ingest_device_offline({**event.payload, "back_online": True})


@consumes("notifications.OutageAnnounced", inline=True)
def on_outage_announced(event: EventEnvelope) -> None:
    services.ingest_outage(event.payload)


@consumes("iot.DeviceRegistryChanged")
def on_device_registry_changed(event: EventEnvelope) -> None:
    services.ingest_device_registry(event.payload)


@consumes("transit.RouteOverloaded", inline=True)
def on_route_overloaded(event: EventEnvelope) -> None:
    """An overloaded public-transport route (or its end) for the dispatchers."""
    services.ingest_route_overloaded(event.payload)


@consumes("fleet.FuelDrainDetected", inline=True)
def on_fuel_drain(event: EventEnvelope) -> None:
    """Fuel siphoned from a parked municipal vehicle: an incident where it stood."""
    services.ingest_fuel_drain(event.payload)


@consumes("petitions.PetitionOverdue", "appeals.AppealOverdue")
def on_overdue_answer(event: EventEnvelope) -> None:
    """A petition or an appeal past its legal deadline becomes an incident for the centre."""
    services.ingest_overdue_answer(event.payload, event.name.split(".", 1)[0], event.name)
