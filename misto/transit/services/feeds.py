"""GTFS static: import a feed (all or nothing, every bad row named), and export the current one.

``check_feed(zip bytes) -> CheckedFeed`` (:mod:`misto.transit.services.gtfs_check`) reads
and validates everything in memory and writes nothing; ``do_import(checked)`` builds the new
feed and deletes the old one in one transaction, so readers see one timetable or the other,
never a mix.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from django.db import transaction

from misto import twin
from misto.core import bus
from misto.transit.errors import TransitCode, TransitError
from misto.transit.events import FeedImported
from misto.transit.models import (
    Agency,
    Feed,
    Prediction,
    Route,
    Service,
    ServiceException,
    Shape,
    Stop,
    StopTime,
    Trip,
)
from misto.transit.services.geometry import Plane, Polyline
from misto.transit.services.gtfs_check import (
    DAYS,
    MAX_ZIP_BYTES,
    CheckedFeed,
    check_feed,
    format_time,
)

__all__ = ["MAX_ZIP_BYTES", "CheckedFeed", "check_feed", "current_feed", "do_import",
           "export_feed", "format_time", "import_feed"]


def _where(lon: float, lat: float) -> dict[str, str]:
    """The stop in the twin's words: district, nearest address, nearest landmark."""
    try:
        found = twin.locate(lon, lat, n=1)
    except twin.TwinError:
        return {}
    return {"district": found.district.katottg if found.district else "",
            "address": found.address.name if found.address and found.address.distance_m < 150
            else "",
            "landmark": (found.landmarks[0].number or "") if found.landmarks
            and found.landmarks[0].distance_m < 150 else ""}


def do_import(feed: CheckedFeed, *, link_twin: bool = True) -> Feed:
    """Write a checked feed and delete the previous one, in one transaction."""
    with transaction.atomic():
        row = Feed.objects.create(name=feed.name[:200], sha256=feed.sha256,
                                  timezone=feed.timezone, publisher=feed.publisher[:200],
                                  version=feed.version[:100])
        Agency.objects.bulk_create(Agency(feed=row, **a) for a in feed.agencies)
        stops = Stop.objects.bulk_create(
            [Stop(feed=row, stop_id=stop_id, **s, **(_where(s["lon"], s["lat"])
                                                      if link_twin else {}))
             for stop_id, s in feed.stops.items()], batch_size=1000)
        stop_pk = {s.stop_id: s.pk for s in stops}
        routes = Route.objects.bulk_create(
            [Route(feed=row, route_id=k, **v) for k, v in feed.routes.items()])
        route_pk = {x.route_id: x.pk for x in routes}
        Service.objects.bulk_create(Service(feed=row, **s) for s in feed.services)
        ServiceException.objects.bulk_create(
            (ServiceException(feed=row, **e) for e in feed.exceptions), batch_size=1000)
        shapes = Shape.objects.bulk_create(
            [Shape(feed=row, shape_id=k, points=[list(p) for p in v])
             for k, v in feed.shapes.items()])
        shape_pk = {s.shape_id: s.pk for s in shapes}
        valid = [k for k in feed.trips if k in feed.stop_times]
        trips = Trip.objects.bulk_create(
            [Trip(feed=row, trip_id=k, route_id=route_pk[t["route_id"]],
                  service_id=t["service_id"], headsign=t["headsign"],
                  direction_id=t["direction_id"], block_id=t["block_id"],
                  shape_id=shape_pk.get(t["shape_id"]), starts=t["starts"], ends=t["ends"])
             for k in valid for t in [feed.trips[k]]], batch_size=1000)
        StopTime.objects.bulk_create(
            (StopTime(trip_id=trip.pk, stop_id=stop_pk[stop_id], sequence=sequence,
                      arrival=arrival, departure=departure, distance_m=round(distance, 1))
             for trip in trips
             for sequence, stop_id, arrival, departure, distance in feed.stop_times[trip.trip_id]),
            batch_size=2000)
        for old in Feed.objects.exclude(pk=row.pk):
            _delete_feed(old)
        bus.publish(FeedImported(feed_id=row.pk, name=row.name, sha256=row.sha256,
                                 stops=len(stops), routes=len(routes), trips=len(trips)))
    return row


def _delete_feed(feed: Feed) -> None:
    """Bulk deletes, children first (the ORM's collector would load every stop time)."""
    StopTime.objects.filter(trip__feed=feed)._raw_delete(StopTime.objects.db)
    Prediction.objects.filter(trip__feed=feed).delete()
    feed.delete()


def import_feed(data: bytes, name: str = "feed.zip", *, link_twin: bool = True) -> Feed:
    return do_import(check_feed(data, name), link_twin=link_twin)


def current_feed() -> Feed:
    feed = Feed.objects.order_by("-pk").first()
    if feed is None:
        raise TransitError(TransitCode.NO_FEED, "No timetable has been imported yet.")
    return feed


_EXPORTS: dict[tuple[int, str], bytes] = {}


def export_feed(feed: Feed) -> bytes:
    """The feed as a GTFS zip, built from the database (cached per feed)."""
    key = (feed.pk, feed.sha256)
    if key in _EXPORTS:
        return _EXPORTS[key]

    def table(header: list[str], rows: Any) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("agency.txt", table(
            ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang",
             "agency_phone"],
            ((a.agency_id, a.name, a.url, a.timezone, a.lang, a.phone)
             for a in feed.agencies.order_by("pk"))))
        z.writestr("stops.txt", table(
            ["stop_id", "stop_code", "stop_name", "stop_lat", "stop_lon", "wheelchair_boarding"],
            ((s.stop_id, s.code, s.name, f"{s.lat:.6f}", f"{s.lon:.6f}", s.wheelchair)
             for s in feed.stops.order_by("stop_id"))))
        z.writestr("routes.txt", table(
            ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type",
             "route_color", "route_text_color"],
            ((x.route_id, x.agency_id, x.short_name, x.long_name, x.route_type, x.color,
              x.text_color) for x in feed.routes.order_by("route_id"))))
        if feed.services.exists():
            z.writestr("calendar.txt", table(
                ["service_id", *DAYS, "start_date", "end_date"],
                ((s.service_id, *s.days, s.start_date.strftime("%Y%m%d"),
                  s.end_date.strftime("%Y%m%d")) for s in feed.services.order_by("service_id"))))
        if feed.exceptions.exists():
            z.writestr("calendar_dates.txt", table(
                ["service_id", "date", "exception_type"],
                ((e.service_id, e.date.strftime("%Y%m%d"), e.exception_type)
                 for e in feed.exceptions.order_by("service_id", "date"))))
        if feed.shapes.exists():
            # With the distances along each shape in the same metres as the stop times'.
            lats = list(feed.stops.values_list("lat", flat=True))
            plane = Plane(sum(lats) / max(1, len(lats)))
            z.writestr("shapes.txt", table(
                ["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence",
                 "shape_dist_traveled"],
                ((s.shape_id, f"{lat:.6f}", f"{lon:.6f}", i + 1, f"{along:.1f}")
                 for s in feed.shapes.order_by("shape_id")
                 for i, ((lon, lat), along) in enumerate(zip(
                     s.points, Polyline.of(plane, s.points).along, strict=True)))))
        z.writestr("trips.txt", table(
            ["route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "block_id",
             "shape_id"],
            ((t.route.route_id, t.service_id, t.trip_id, t.headsign,
              "" if t.direction_id is None else t.direction_id, t.block_id,
              t.shape.shape_id if t.shape else "")
             for t in feed.trips.select_related("route", "shape").order_by("trip_id"))))
        z.writestr("stop_times.txt", table(
            ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence",
             "shape_dist_traveled"],
            ((trip_id, format_time(arr), format_time(dep), stop_id, seq, f"{dist:.1f}")
             for trip_id, arr, dep, stop_id, seq, dist in StopTime.objects.filter(
                 trip__feed=feed).order_by("trip__trip_id", "sequence").values_list(
                 "trip__trip_id", "arrival", "departure", "stop__stop_id", "sequence",
                 "distance_m"))))
        agency = feed.agencies.order_by("pk").first()
        ranges = [(s.start_date, s.end_date) for s in feed.services.all()] + \
            [(e.date, e.date) for e in feed.exceptions.filter(exception_type=1)]
        z.writestr("feed_info.txt", table(
            ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
             "feed_end_date", "feed_version", "feed_contact_url"],
            [(feed.publisher or (agency.name if agency else "Misto"),
              agency.url if agency else "", (agency.lang if agency else "") or "uk",
              min(r[0] for r in ranges).strftime("%Y%m%d") if ranges else "",
              max(r[1] for r in ranges).strftime("%Y%m%d") if ranges else "",
              feed.version or feed.sha256[:12], agency.url if agency else "")]))
    _EXPORTS.clear()
    _EXPORTS[key] = buffer.getvalue()
    return _EXPORTS[key]
