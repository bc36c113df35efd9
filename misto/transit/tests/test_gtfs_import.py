"""GTFS static in and out: a good feed imports whole, a bad one changes nothing and names
every bad row by file and line; the export reads back the same."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from misto.transit.demo import gtfs_zip
from misto.transit.errors import FeedProblems
from misto.transit.models import Feed, Stop, StopTime, Trip
from misto.transit.services import feeds
from misto.transit.tests.conftest import files

pytestmark = pytest.mark.django_db


def test_a_feed_imports_with_stops_placed_on_the_twin(feed: Feed) -> None:
    assert feed.stops.count() == 4 and feed.trips.count() == 6
    first = Stop.objects.get(stop_id="S1")
    assert first.district == "UA23060070010000012"  # the named city's west district
    times = list(StopTime.objects.filter(trip__trip_id="T0").values_list("distance_m",
                                                                        flat=True))
    # Projected on the shape: 0.01 degree (747 m at 47.82 N) apart, half that from its start.
    assert [round(b - a) for a, b in zip([0.0, *times], times, strict=False)] == [373, 747, 747,
                                                                                747]


def test_a_new_feed_replaces_the_old_one_whole(feed: Feed) -> None:
    again = feeds.import_feed(gtfs_zip(files()), "again.zip")
    assert list(Feed.objects.values_list("pk", flat=True)) == [again.pk]
    assert Trip.objects.count() == 6 and StopTime.objects.count() == 24


@pytest.mark.parametrize(("changes", "expected"), [
    ({"stops_txt": None}, "stops.txt: missing file"),
    ({"stop_times_txt": (["trip_id", "arrival_time", "departure_time", "stop_id",
                          "stop_sequence"],
                         [["T0", "08:00:00", "08:00:00", "S1", 1],
                          ["T0", "08:61:00", "08:03:00", "S2", 2]])},
     "stop_times.txt:3: arrival_time '08:61:00' is not a time (HH:MM:SS)"),
    ({"trips_txt": (["route_id", "service_id", "trip_id"], [["R9", "daily", "T0"]])},
     "trips.txt:2: route_id 'R9' is not in routes.txt"),
    ({"stop_times_txt": (["trip_id", "arrival_time", "departure_time", "stop_id",
                          "stop_sequence"],
                         [["T0", "08:00:00", "08:00:00", "S1", 1],
                          ["T0", "08:03:00", "08:03:00", "NOPE", 2]])},
     "stop_times.txt:3: stop_id 'NOPE' is not in stops.txt"),
    ({"stops_txt": (["stop_id", "stop_name", "stop_lat", "stop_lon"],
                    [["S1", "A", "147.8", "35.1"]])},
     "stops.txt:2: stop_lat 147.8 is out of range"),
    ({"calendar_txt": None},
     "calendar.txt: missing file (neither calendar.txt nor calendar_dates.txt)"),
    ({"stop_times_txt": (["trip_id", "arrival_time", "departure_time", "stop_id",
                          "stop_sequence"],
                         [["T0", "08:05:00", "08:05:00", "S1", 1],
                          ["T0", "08:03:00", "08:03:00", "S2", 2]])},
     "stop_times.txt:3: times go backwards along the trip"),
])
def test_a_bad_feed_names_each_bad_row_and_imports_nothing(feed: Feed, changes: dict[str, Any],
                                                          expected: str) -> None:
    with pytest.raises(FeedProblems) as refused:
        feeds.import_feed(gtfs_zip(files(**changes)), "bad.zip")
    assert expected in refused.value.problems
    assert list(Feed.objects.values_list("pk", flat=True)) == [feed.pk]
    assert StopTime.objects.count() == 24


def test_not_a_zip_is_refused(db: Any) -> None:
    with pytest.raises(FeedProblems, match="not a zip file"):
        feeds.check_feed(b"PK nonsense")


def test_the_command_prints_every_bad_row_and_exits_non_zero(city: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(gtfs_zip(files(routes_txt=(["route_id", "route_type"],
                                               [["R1", "77777"]]))))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("transit", "import-gtfs", str(bad), stderr=err)
    assert "routes.txt:2: route_type '77777' is not a GTFS route type" in err.getvalue()
    assert not Feed.objects.exists()
    good = tmp_path / "good.zip"
    good.write_bytes(gtfs_zip(files()))
    out = StringIO()
    call_command("transit", "import-gtfs", str(good), stdout=out)
    assert "4 stops, 1 routes, 6 trips" in out.getvalue()


def test_the_export_reads_back_as_the_same_timetable(feed: Feed, client: Any) -> None:
    response = client.get("/gtfs/feed.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    again = feeds.check_feed(response.content, "exported.zip")
    original = feeds.check_feed(gtfs_zip(files()))
    assert again.stop_times == original.stop_times
    assert set(again.stops) == set(original.stops) and again.routes.keys() == original.routes.keys()


def test_the_open_datasets_are_typed_and_carry_the_stops(feed: Feed) -> None:
    from misto.opendata.services.publishing import produce
    from misto.transit.datasets import DATASETS

    produced = {d.name: produce(d) for d in DATASETS}
    [stops] = produced["transit-stops"]
    assert len(stops.rows) == 4 and "GeoJSON" in stops.files
    assert stops.rows[0]["district"] == "UA23060070010000012"
    [routes] = produced["transit-routes"]
    assert routes.rows[0]["short_name"] == "7" and routes.rows[0]["trips_total"] == 6
    [accuracy] = produced["transit-eta-accuracy"]
    assert accuracy.rows == []  # nothing measured yet
