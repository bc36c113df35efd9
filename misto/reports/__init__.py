"""Citizen reports (311) and the contact centre, with Open311 GeoReport v2.

A resident reports a problem (by map, GPS, address or a landmark number); the report is
routed by category and district to a department queue; clerks accept, reject, assign,
work on and resolve it; every status change is the domain event
``reports.ReportStatusChanged`` (docs/events.md). Third-party apps speak Open311
GeoReport v2 at ``/open311/v2/`` (``misto.reports.open311``).

Public functions other modules may call (lazily loaded from ``misto.reports.services``):

- ``report_summary(report_id) -> dict | None``: the public view of one report (no personal
  data): ``public_id, category, category_title, status, district, lon, lat, url``.
"""

from typing import Any

__all__ = ["report_summary"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        # Lazily: services import the models, which Django refuses before the apps load.
        from misto.reports import services

        return getattr(services, name)
    raise AttributeError(f"module 'misto.reports' has no attribute {name!r}")
