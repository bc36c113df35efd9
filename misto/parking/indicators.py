"""Indicators parking computes for the City Progress Index (strategy 5.3.1 KPIs #4, #5):
lots and places on the online map (a stock at the period's end) and parkings arranged
online (sessions started in the period)."""

from __future__ import annotations

from datetime import datetime

from misto.core.registry import IndicatorFunction, Measure
from misto.parking.models import Lot, Place, Session


def lots_on_map(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = Lot.objects.filter(closed=False, created_at__lt=end)
    count = (rows.filter(district=district) if district else rows).count()
    return Measure(float(count), count)


def places_on_map(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = Place.objects.filter(lot__closed=False, lot__created_at__lt=end)
    count = (rows.filter(lot__district=district) if district else rows).count()
    return Measure(float(count), count)


def sessions_online(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = Session.objects.filter(started_at__gte=start, started_at__lt=end)
    count = (rows.filter(lot__district=district) if district else rows).count()
    return Measure(float(count), count)


INDICATORS = (
    IndicatorFunction("parking.lots_on_map", lots_on_map,
                      "Parking lots on the online map (open, at the period's end)."),
    IndicatorFunction("parking.places_on_map", places_on_map,
                      "Parking places on the online map (in open lots, at the period's end)."),
    IndicatorFunction("parking.sessions_online", sessions_online,
                      "Parkings arranged online: sessions started in the period."),
)
