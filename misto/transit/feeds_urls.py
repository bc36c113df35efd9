"""The standards' own paths (docs/transit.md): GTFS, GTFS-Realtime, OneBusAway."""

from django.urls import path

from misto.transit import views

app_name = "transit-feeds"

urlpatterns = [
    path("gtfs-rt/<str:kind>.pb", views.gtfs_rt, name="gtfs-rt"),
    path("gtfs/feed.zip", views.gtfs_feed, name="gtfs"),
    path("api/where/arrivals-and-departures-for-stop/<str:stop_id>.json", views.oba_arrivals,
         name="oba-arrivals"),
]
