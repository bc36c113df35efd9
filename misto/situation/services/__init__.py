"""The situational centre's operations: plain functions that the event handlers, views, API,
tasks and commands call, one file per concept.

- :mod:`.access`: who may see an incident, dispatch it or work on it; ``access_<object>``
  fetches an object and checks the right in one call (hidden answers as missing).
- :mod:`.kinds`: incident kinds and the rules that classify a signal.
- :mod:`.places`: district, address and street of a point, from the twin.
- :mod:`.correlation`: signals in (``ingest_*``), joined to an open incident or opening one.
- :mod:`.dispatch`: assigning incidents and moving them on to resolved.
- :mod:`.livemap`: the map's GeoJSON and filters, and the change log of the live stream.
- :mod:`.figures`: response and resolution times, the dashboard.
- :mod:`.emergencies`: declaring and ending emergencies, affected buildings and shelters.

This package exports the names the rest of Misto uses, so callers keep writing
``services.assign(...)`` whichever file a function lives in. Errors are
:class:`~misto.situation.errors.SituationError` with a stable ``code``.
"""

from misto.situation.services.access import (
    access_emergency,
    access_incident,
    access_photo,
    can_dispatch,
    can_see_incident,
    can_view,
    can_work_on,
)
from misto.situation.services.dispatch import (
    ALLOWED_STEPS,
    assign,
    change_status,
    crew_tasks,
    departments,
)
from misto.situation.services.emergencies import (
    affected_buildings,
    declare_emergency,
    emergency_area,
    end_emergency,
    nearby_shelters,
    walking_routes,
)
from misto.situation.services.figures import Bar, TimeFigures, city_bounds, dashboard
from misto.situation.services.kinds import ensure_default_kinds
from misto.situation.services.livemap import (
    changes_after,
    devices_gzip,
    devices_text,
    forget_map_json,
    incident_collection,
    incident_collection_text,
    incident_feature,
    latest_change_id,
    map_body,
    map_gzip,
    map_text,
    outage_collection,
    parse_filter,
    prune_changes,
    record_change,
    store_map_json,
)
from misto.situation.services.signals import (
    ingest_device_offline,
    ingest_device_registry,
    ingest_fuel_drain,
    ingest_outage,
    ingest_overdue_answer,
    ingest_reading,
    ingest_report_created,
    ingest_report_status,
    ingest_route_overloaded,
)

__all__ = [
    "ALLOWED_STEPS",
    "Bar",
    "TimeFigures",
    "access_emergency",
    "access_incident",
    "access_photo",
    "affected_buildings",
    "assign",
    "can_dispatch",
    "can_see_incident",
    "can_view",
    "can_work_on",
    "change_status",
    "changes_after",
    "city_bounds",
    "crew_tasks",
    "dashboard",
    "declare_emergency",
    "departments",
    "devices_gzip",
    "devices_text",
    "emergency_area",
    "end_emergency",
    "ensure_default_kinds",
    "forget_map_json",
    "incident_collection",
    "incident_collection_text",
    "incident_feature",
    "ingest_device_offline",
    "ingest_device_registry",
    "ingest_fuel_drain",
    "ingest_outage",
    "ingest_overdue_answer",
    "ingest_reading",
    "ingest_report_created",
    "ingest_report_status",
    "ingest_route_overloaded",
    "latest_change_id",
    "map_body",
    "map_gzip",
    "map_text",
    "nearby_shelters",
    "outage_collection",
    "parse_filter",
    "prune_changes",
    "record_change",
    "store_map_json",
    "walking_routes",
]
