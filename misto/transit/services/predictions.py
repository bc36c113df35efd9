"""Arrival predictions, and how good they turned out to be.

The model, kept simple so that anyone can check it: the vehicle's arrival at a downstream
stop is *now* plus the running time still ahead of it, stop to stop. Each stop-to-stop
running time is the mean observed on that segment at that hour of day once it has been seen
at least ``MIN_OBSERVATIONS`` times, and the timetable's time otherwise; a vehicle part-way
along a segment has the matching share of it left; the timetable's dwell is added at each
stop in between. A vehicle at its first stop leaves no earlier than its timetable says.

Accuracy, the ETA Accuracy Benchmark's way (TransitApp/ETA-Accuracy-Benchmark): the first
prediction made for a stop in each horizon (0-3, 3-6, 6-10 and 10-15 minutes before the
predicted arrival) is kept and compared with the arrival observed; it is accurate inside the
horizon's band (0-3 min: 30 s early to 90 s late; 3-6: 60 s early to 150 s late; 6-10: 60 s
early to 210 s late; 10-15: 90 s early to 270 s late). The score is the plain mean of the
four horizons' shares.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from misto.transit.models import Prediction, PredictionSample, SegmentTime, Vehicle, VehicleState
from misto.transit.services.timetable import PlannedStop, Timetable, TripPlan

MIN_OBSERVATIONS = 3
# (upper bound of the horizon in seconds, early allowed, late allowed), in seconds.
BUCKETS: tuple[tuple[int, int, int], ...] = ((180, 30, 90), (360, 60, 150), (600, 60, 210),
                                             (900, 90, 270))
BUCKET_NAMES = ("0-3", "3-6", "6-10", "10-15")


def bucket_of(lead_s: float) -> int | None:
    for index, (upper, _early, _late) in enumerate(BUCKETS):
        if 0 <= lead_s < upper:
            return index
    return None


def accurate(bucket: int, error_s: float) -> bool:
    """``error_s`` = actual - predicted: positive when the vehicle came late."""
    _upper, early, late = BUCKETS[bucket]
    return -early <= error_s <= late


SEGMENTS_RELOAD_S = 60.0
_learnt: tuple[float, dict[tuple[str, str, int], float]] = (-math.inf, {})


def forget_segments() -> None:
    global _learnt
    _learnt = (-math.inf, {})
    _sampled.clear()


def _segment_means(hour: int, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """The learnt running times (those seen often enough), reloaded once a minute: one
    query a minute instead of one per position."""
    global _learnt
    if time.monotonic() - _learnt[0] > SEGMENTS_RELOAD_S:
        _learnt = (time.monotonic(), {
            (a, b, h): mean for a, b, h, mean in SegmentTime.objects.filter(
                count__gte=MIN_OBSERVATIONS).values_list("from_stop", "to_stop", "hour",
                                                         "mean_s")})
    learnt = _learnt[1]
    return {(a, b): learnt[(a, b, hour)] for a, b in pairs if (a, b, hour) in learnt}


def learn_segment(from_stop: str, to_stop: str, hour: int, seconds: float) -> None:
    """One more observed running time from a stop to the next (a running mean)."""
    if not 0 < seconds < 3 * 3600:
        return
    row, created = SegmentTime.objects.get_or_create(
        from_stop=from_stop, to_stop=to_stop, hour=hour,
        defaults={"count": 1, "mean_s": seconds})
    if not created:
        count = row.count + 1
        mean = row.mean_s + (seconds - row.mean_s) / count
        SegmentTime.objects.filter(pk=row.pk).update(count=count, mean_s=mean)
        if count >= MIN_OBSERVATIONS:  # this process sees it at once, the others in a minute
            _learnt[1][(from_stop, to_stop, hour)] = mean


def running_times(tt: Timetable, plan: TripPlan, stops: Sequence[PlannedStop],
                  when: datetime) -> list[float]:
    """Seconds from each stop of ``stops`` (but the last) to the next: observed or timed."""
    hour = when.astimezone(tt.tz).hour
    pairs = [(a.stop_id, b.stop_id) for a, b in itertools.pairwise(stops)]
    learnt = _segment_means(hour, pairs)
    return [learnt.get((a.stop_id, b.stop_id), float(max(0, b.arrival - a.departure)))
            for a, b in itertools.pairwise(stops)]


def arrivals(tt: Timetable, plan: TripPlan, day: date, progress: float, when: datetime,
             downstream: Sequence[PlannedStop]) -> list[tuple[PlannedStop, datetime]]:
    """Predicted arrival at each stop of ``downstream`` (the stops still ahead)."""
    if not downstream:
        return []
    first = plan.stops.index(downstream[0])
    behind = plan.stops[first - 1] if first > 0 else None
    chain = ([behind] if behind else []) + list(downstream)
    legs = running_times(tt, plan, chain, when)
    out: list[tuple[PlannedStop, datetime]] = []
    if behind is None:
        # At (or before) the first stop: it leaves on time at the earliest.
        clock = max(when, tt.at(day, downstream[0].departure))
        out.append((downstream[0], max(when, tt.at(day, downstream[0].arrival))))
        legs_ahead = legs
        stops_ahead = list(downstream)
    else:
        span = downstream[0].distance - behind.distance
        share = (downstream[0].distance - progress) / span if span > 0 else 0.0
        clock = when + timedelta(seconds=max(0.0, min(1.0, share)) * legs[0])
        out.append((downstream[0], clock))
        clock += timedelta(seconds=downstream[0].departure - downstream[0].arrival)
        legs_ahead = legs[1:]
        stops_ahead = list(downstream)
    for leg, stop in zip(legs_ahead, stops_ahead[1:], strict=False):
        clock += timedelta(seconds=leg)
        out.append((stop, clock))
        clock += timedelta(seconds=stop.departure - stop.arrival)
    return out


# The samples this process has already written (the unique constraint is the real guard:
# this only saves an INSERT per position when nothing new is to be sampled).
SAMPLED_MEMORY = 200_000
_sampled: dict[tuple[str, date, int, int], None] = {}


def clear(vehicle: Vehicle) -> None:
    Prediction.objects.filter(vehicle=vehicle).delete()


def predict(tt: Timetable, vehicle: Vehicle, plan: TripPlan, day: date, progress: float,
            when: datetime, downstream: Sequence[PlannedStop], state: VehicleState) -> None:
    """Replace the vehicle's predictions, and keep the first one of each benchmark horizon."""
    predicted = arrivals(tt, plan, day, progress, when, downstream)
    Prediction.objects.filter(vehicle=vehicle).delete()
    Prediction.objects.bulk_create(
        Prediction(vehicle=vehicle, stop_id=stop.stop_pk, trip_id=plan.pk, service_date=day,
                   sequence=stop.sequence, scheduled=tt.at(day, stop.arrival), predicted=at,
                   dwell_s=max(0, stop.departure - stop.arrival), made_at=when)
        for stop, at in predicted)
    samples = []
    for stop, at in predicted:
        if stop is plan.stops[0]:
            continue  # a departure, not an arrival: not measured
        bucket = bucket_of((at - when).total_seconds())
        if bucket is None or (plan.trip_id, day, stop.sequence, bucket) in _sampled:
            continue
        _sampled[(plan.trip_id, day, stop.sequence, bucket)] = None
        samples.append(PredictionSample(
            trip_id=plan.trip_id, route_id=plan.route_id, stop_id=stop.stop_id,
            service_date=day, sequence=stop.sequence, bucket=bucket, made_at=when,
            predicted=at))
    if samples:
        PredictionSample.objects.bulk_create(samples, ignore_conflicts=True)
    while len(_sampled) > SAMPLED_MEMORY:
        del _sampled[next(iter(_sampled))]


def resolve(trip_id: str, day: date, arrived: dict[int, datetime]) -> None:
    """The observed arrivals close their samples."""
    for sequence, at in arrived.items():
        PredictionSample.objects.filter(trip_id=trip_id, service_date=day, sequence=sequence,
                                        actual__isnull=True).update(actual=at)
    # A prediction for a stop already passed is no prediction any more.
    Prediction.objects.filter(trip__trip_id=trip_id, service_date=day,
                              sequence__in=list(arrived)).delete()


# --- Accuracy --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    name: str
    samples: int
    accurate: int
    mean_abs_error_s: float | None
    median_error_s: float | None

    @property
    def share(self) -> float | None:
        return self.accurate / self.samples if self.samples else None


@dataclass(frozen=True)
class Accuracy:
    route_id: str
    day: date | None
    samples: int
    score: float | None  # the mean of the horizons that have samples, 0..1
    buckets: list[Bucket]


def accuracy(*, days: Sequence[date] | None = None, route_id: str | None = None
             ) -> list[Accuracy]:
    """The benchmark per route and service day (``route_id`` "" in a row: all routes)."""
    rows = PredictionSample.objects.filter(actual__isnull=False)
    if days is not None:
        rows = rows.filter(service_date__in=list(days))
    if route_id:
        rows = rows.filter(route_id=route_id)
    grouped: dict[tuple[str, date | None], list[list[float]]] = defaultdict(
        lambda: [[], [], [], []])
    for route, day, bucket, predicted, actual in rows.values_list(
            "route_id", "service_date", "bucket", "predicted", "actual").order_by():
        if actual is None:
            continue
        error = (actual - predicted).total_seconds()
        grouped[(route, day)][bucket].append(error)
        grouped[("", day)][bucket].append(error)
    out = []
    ordered = sorted(grouped.items(), key=lambda kv: kv[0][0])
    ordered.sort(key=lambda kv: kv[0][1] or date.min, reverse=True)  # newest day first
    for (route, when), errors in ordered:
        if route == "" and route_id:
            continue
        buckets = [Bucket(BUCKET_NAMES[i], len(e), sum(accurate(i, x) for x in e),
                          round(statistics.fmean(abs(x) for x in e), 1) if e else None,
                          round(statistics.median(e), 1) if e else None)
                   for i, e in enumerate(errors)]
        shares = [b.share for b in buckets if b.share is not None]
        out.append(Accuracy(route, when, sum(b.samples for b in buckets),
                            round(statistics.fmean(shares), 4) if shares else None, buckets))
    return out
