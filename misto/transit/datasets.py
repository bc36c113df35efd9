"""The transit module's open datasets (``MistoModule.datasets``): the stops (CMU resolution
835, mun-024) and the timetable's routes with their trips per day (mun-023; the full
timetable is GTFS at /gtfs/feed.zip), and the measured accuracy of the arrival predictions.
Nothing personal: stops, routes and counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.utils import timezone

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.transit.models import Feed, Route, Stop, Trip
from misto.transit.services import flows, predictions, timetable


def _feed() -> Feed | None:
    return Feed.objects.order_by("-pk").first()


def stops() -> Iterator[dict[str, Any]]:
    feed = _feed()
    if feed is None:
        return
    for stop in Stop.objects.filter(feed=feed).order_by("stop_id"):
        yield {"stop_id": stop.stop_id, "code": stop.public_code, "name": stop.name,
               "district": stop.district, "address": stop.address, "landmark": stop.landmark,
               "wheelchair_boarding": stop.wheelchair, "lon": stop.lon, "lat": stop.lat,
               "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]}}


def routes() -> Iterator[dict[str, Any]]:
    feed = _feed()
    tt = timetable.current()
    if feed is None or tt is None:
        return
    today = timezone.localdate()
    running = Counter(plan.route_id for plan in tt.trips_on(today))
    for route in Route.objects.filter(feed=feed).order_by("short_name", "route_id"):
        yield {"route_id": route.route_id, "short_name": route.short_name,
               "long_name": route.long_name, "route_type": route.route_type,
               "trips_total": Trip.objects.filter(route=route).count(),
               "trips_today": running.get(route.route_id, 0)}


def accuracy() -> Iterator[dict[str, Any]]:
    today = timezone.localdate()
    for row in predictions.accuracy(days=[today - timedelta(days=i) for i in range(1, 31)]):
        yield {"service_date": row.day, "route_id": row.route_id or "all",
               "samples": row.samples, "score": row.score,
               **{f"accurate_{b.name.replace('-', '_')}": b.share for b in row.buckets}}


def passenger_flows() -> Iterator[dict[str, Any]]:
    yesterday = timezone.localdate() - timedelta(days=1)
    for flow in flows.flows(yesterday):
        yield {"service_date": yesterday, "route_id": flow.route_id, "stop_id": flow.stop_id,
               "hour": flow.hour, "boarded": flow.boarded, "alighted": flow.alighted}


DATASETS = (
    OpenDataset(
        name="transit-stops", title="Зупинки громадського транспорту",
        title_en="Public transport stops",
        description="Зупинки чинного розкладу з кодом, районом, найближчою адресою й номером "
                    "орієнтира; повний розклад у форматі GTFS: /gtfs/feed.zip.",
        description_en="The current timetable's stops with their code, district, nearest "
                       "address and landmark number; the full timetable as GTFS: "
                       "/gtfs/feed.zip.",
        publisher="transport", theme="TRAN", keywords=("транспорт", "зупинки", "GTFS"),
        frequency="WEEKLY", resolution_835="mun-024",
        tables=(OpenTable("stops", "Зупинки", "Stops", (
            Column("stop_id", "string", "Ідентифікатор GTFS", "GTFS id"),
            Column("code", "string", "Код зупинки", "Stop code"),
            Column("name", "string", "Назва", "Name"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("address", "string", "Найближча адреса", "Nearest address"),
            Column("landmark", "string", "Номер орієнтира", "Landmark number"),
            Column("wheelchair_boarding", "integer", "Доступність (GTFS)",
                   "Wheelchair boarding (GTFS)"),
            Column("lon", "number", "Довгота", "Longitude", "degree"),
            Column("lat", "number", "Широта", "Latitude", "degree"),
        ), stops, geometry=True),)),
    OpenDataset(
        name="transit-routes", title="Маршрути громадського транспорту",
        title_en="Public transport routes",
        description="Маршрути чинного розкладу й кількість рейсів; розклад рейсів у форматі "
                    "GTFS: /gtfs/feed.zip.",
        description_en="The current timetable's routes and their trips; the trips' timetable "
                       "as GTFS: /gtfs/feed.zip.",
        publisher="transport", theme="TRAN", keywords=("транспорт", "маршрути", "розклад"),
        frequency="WEEKLY", resolution_835="mun-023",
        tables=(OpenTable("routes", "Маршрути", "Routes", (
            Column("route_id", "string", "Ідентифікатор GTFS", "GTFS id"),
            Column("short_name", "string", "Номер", "Number"),
            Column("long_name", "string", "Назва", "Name"),
            Column("route_type", "integer", "Вид транспорту (GTFS)", "Route type (GTFS)"),
            Column("trips_total", "integer", "Рейсів у розкладі", "Trips in the timetable"),
            Column("trips_today", "integer", "Рейсів сьогодні", "Trips today"),
        ), routes),)),
    OpenDataset(
        name="transit-eta-accuracy", title="Точність прогнозів прибуття транспорту",
        title_en="Accuracy of the transport arrival predictions",
        description="Щоденна оцінка точності прогнозів прибуття за методикою ETA Accuracy "
                    "Benchmark, за маршрутами й загалом, за останні 30 днів.",
        description_en="The daily score of the arrival predictions by the ETA Accuracy "
                       "Benchmark, per route and overall, for the last 30 days.",
        publisher="transport", theme="TRAN", keywords=("транспорт", "точність", "прогноз"),
        frequency="DAILY",
        tables=(OpenTable("accuracy", "Точність за днями", "Accuracy by day", (
            Column("service_date", "date", "День", "Day"),
            Column("route_id", "string", "Маршрут (all — усі)", "Route (all: every route)"),
            Column("samples", "integer", "Перевірено прогнозів", "Predictions checked"),
            Column("score", "number", "Оцінка (0–1)", "Score (0-1)"),
            Column("accurate_0_3", "number", "Точних, 0–3 хв", "Accurate, 0-3 min"),
            Column("accurate_3_6", "number", "Точних, 3–6 хв", "Accurate, 3-6 min"),
            Column("accurate_6_10", "number", "Точних, 6–10 хв", "Accurate, 6-10 min"),
            Column("accurate_10_15", "number", "Точних, 10–15 хв", "Accurate, 10-15 min"),
        ), accuracy),)),
    OpenDataset(
        name="transit-passenger-flow", title="Пасажиропотік громадського транспорту",
        title_en="Public transport passenger flow",
        description="Кількість пасажирів, що увійшли й вийшли, за маршрутами, зупинками й "
                    "годинами за вчора, з лічильників у транспорті.",
        description_en="Passengers boarding and alighting per route, stop and hour, "
                       "yesterday, from the on-board counters.",
        publisher="transport", theme="TRAN", keywords=("транспорт", "пасажиропотік"),
        frequency="DAILY",
        tables=(OpenTable("flows", "Пасажиропотік", "Passenger flow", (
            Column("service_date", "date", "День", "Day"),
            Column("route_id", "string", "Маршрут", "Route"),
            Column("stop_id", "string", "Зупинка (GTFS)", "Stop (GTFS)"),
            Column("hour", "integer", "Година", "Hour"),
            Column("boarded", "integer", "Увійшло", "Boarded", "passengers"),
            Column("alighted", "integer", "Вийшло", "Alighted", "passengers"),
        ), passenger_flows),)),
)
